// A real run against the in-process null responder: what the per-interval counts of
// --plot hold.
#include "tools/bench/load_run.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <numeric>

#include "tools/bench/interrupt_watch.h"
#include "tools/bench/null_responder.h"
#include "tools/bench/options.h"
#include "tools/bench/paxoskv_protocol.h"
#include "tools/bench/progress_line.h"

namespace paxoskv::bench {
namespace {

using namespace std::chrono_literals;

TEST_CASE("load run: the timeline counts the measured operations, from the warmup's end",
          "[bench][plot]") {
  InterruptWatch interrupt;  // before any thread
  NullResponder responder;
  Options options;
  options.endpoints = {Endpoint{"127.0.0.1", responder.port(), false}};
  options.conns = 2;
  options.warmup = 500ms;
  options.duration = 200ms;
  options.progress = false;
  const PaxoskvProtocol protocol("");
  ProgressLine progress("test", false);
  const RunResult result = run_load(options, protocol, progress, interrupt);

  REQUIRE(result.stats.ops > 0);
  const auto& counts = result.stats.timeline.counts();
  // Every measured operation once, no warmup one.
  CHECK(std::accumulate(counts.begin(), counts.end(), std::uint64_t{0}) == result.stats.ops);
  // 200 ms measured from the warmup's end: two intervals of 100 ms, and up to two more
  // for answers a loaded machine counted late; counted from the run's start (500 ms
  // earlier), they would reach the sixth interval at least.
  CHECK(counts.size() >= 2);
  CHECK(counts.size() <= 4);
}

}  // namespace
}  // namespace paxoskv::bench

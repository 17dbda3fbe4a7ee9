// paxoskv-bench: the load-test tool. See `paxoskv-bench --help`.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>

#include "etcd_protocol.h"
#include "interrupt_watch.h"
#include "load_run.h"
#include "null_responder.h"
#include "options.h"
#include "paxoskv_protocol.h"
#include "progress_line.h"
#include "report.h"

namespace {

using namespace paxoskv::bench;

std::unique_ptr<Protocol> make_protocol(const Options& options) {
  if (options.target == Target::etcd) return std::make_unique<EtcdProtocol>();
  return std::make_unique<PaxoskvProtocol>(options.token);
}

// Writes every key once, untimed, so that reads find values and not 404s.
// False when interrupted.
bool preload(const Options& options, const Protocol& protocol, InterruptWatch& interrupt) {
  Options writes = options;
  writes.workload = Workload::put;
  writes.key_distribution = KeyDistribution::sequential;
  writes.requests = options.keys;
  writes.rate.reset();
  writes.warmup = std::chrono::nanoseconds(0);
  writes.conns = std::max(options.conns, 16);  // a 1-connection run need not preload slowly
  writes.threads = std::min(writes.threads, writes.conns);
  ProgressLine progress("preload", options.progress);
  const RunResult result = run_load(writes, protocol, progress, interrupt);
  if (result.interrupted) return false;
  std::fprintf(stderr, "preloaded %llu keys in %.2fs (%llu errors)\n",
               static_cast<unsigned long long>(result.stats.ops),
               std::chrono::duration<double>(result.measured).count(),
               static_cast<unsigned long long>(result.stats.error_count()));
  return true;
}

int run(Options options) {
  // First, before any thread starts, so that every thread leaves the signals to it.
  InterruptWatch interrupt;
  // Declared before the run so that it outlives the run that drives it.
  std::optional<NullResponder> responder;
  if (options.self_test) {
    responder.emplace();
    options.endpoints = {Endpoint{"127.0.0.1", responder->port(), false}};
  }
  const auto protocol = make_protocol(options);
  if (options.preload && options.workload != Workload::put &&
      !preload(options, *protocol, interrupt)) {
    return 130;
  }

  ProgressLine progress(to_string(options.workload), options.progress);
  const RunResult result = run_load(options, *protocol, progress, interrupt);
  if (result.interrupted) std::fprintf(stderr, "interrupted: the summary covers the run so far\n");
  if (options.json) {
    std::cout << summary_json(options, result).dump() << std::endl;
  } else {
    print_summary(std::cout, options, result);
  }
  if (result.stats.ops == 0) {
    std::fprintf(stderr, "paxoskv-bench: no request succeeded\n");
    return 1;
  }
  return result.interrupted ? 130 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto options = parse_options(argc, argv);
    if (!options) return 0;
    return run(*options);
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr, "paxoskv-bench: %s\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "paxoskv-bench: %s\n", error.what());
    return 1;
  }
}

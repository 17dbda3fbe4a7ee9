// SIGTERM: a replica stops cleanly (exit 0) within a few seconds, even with requests and a
// long poll in flight, and comes back with everything it had.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "http/client/targets.h"
#include "tests/e2e/eventually.h"
#include "tests/e2e/history_assertions.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/kv_client.h"
#include "tests/e2e/test_cluster.h"
#include "tests/e2e/workload.h"

namespace paxoskv::e2e {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE("e2e: SIGTERM stops a replica cleanly; it restarts with its data", "[e2e]") {
  constexpr int kStopped = 2;
  constexpr int kKeys = 20;
  TestCluster cluster;
  KvClient stopped_kv(cluster.client_port(kStopped));
  for (int i = 0; i < kKeys; ++i) {
    const auto reply = stopped_kv.put("kept/" + std::to_string(i), "value " + std::to_string(i));
    INFO(reply.describe());
    REQUIRE(reply.status == 200);
  }

  // A long poll that would wait 30 s, and writers, all busy on the replica as it stops.
  std::optional<HttpResponse> poll_answer;
  std::chrono::milliseconds poll_took{};
  std::jthread poller([&] {
    HttpClient client(cluster.client_port(kStopped), 40s);
    const auto started = Clock::now();
    poll_answer =
        client.get(http::client::key_target("kept/0", {{"wait", "1"}, {"timeout", "30s"}}));
    poll_took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  });
  check::HistoryRecorder recorder;
  WorkloadOptions options;
  options.clients = 2;
  options.ports = {cluster.client_port(kStopped)};
  options.fresh_key_prefix = "busy/";
  Workload workload(options, recorder);
  std::this_thread::sleep_for(500ms);

  const auto signalled = Clock::now();
  const auto status = cluster.terminate(kStopped, 10s);
  const auto exit_took =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - signalled);
  workload.stop();
  poller.join();
  REQUIRE(status.has_value());
  INFO(describe_wait_status(*status) << "; log:\n" << cluster.log_tail(kStopped));
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  std::cout << "[sigterm] replica " << kStopped << " " << describe_wait_status(*status) << " "
            << exit_took.count() << " ms after SIGTERM; the pending long poll ended after "
            << poll_took.count() << " ms with "
            << (poll_answer ? "status " + std::to_string(poll_answer->status) : "no answer")
            << std::endl;
  CHECK(exit_took <= 5s);
  CHECK(poll_took <= 6s);
  // In flight at the stop, the long poll is finished (the current state) or failed (503),
  // but answered: a client must not be left to guess from a dropped connection.
  CHECK(poll_answer.has_value());
  const auto stats = workload.stats();
  INFO("unexpected answers: " << nlohmann::json(stats.unexpected).dump());
  CHECK(stats.unexpected.empty());

  // The others go on without it.
  KvClient other(cluster.client_port(1));
  const auto meanwhile = other.put("while-stopped", "yes");
  INFO(meanwhile.describe());
  REQUIRE(meanwhile.status == 200);

  cluster.start(kStopped);
  // Its own data is there at once, from its disk.
  for (int i = 0; i < kKeys; ++i) {
    const auto reply = stopped_kv.get("kept/" + std::to_string(i), true);
    INFO(reply.describe());
    CHECK(reply.value == "value " + std::to_string(i));
  }
  // What it acknowledged as it was stopping, too.
  const auto acknowledged = workload.acknowledged_fresh();
  std::size_t lost = 0;
  for (const auto& [key, value] : acknowledged) {
    if (stopped_kv.get(key).value != value) ++lost;
  }
  std::cout << "[sigterm] " << acknowledged.size()
            << " writes acknowledged by the replica around its stop; lost writes " << lost
            << std::endl;
  CHECK(lost == 0);
  // What it missed, it catches up on.
  const auto caught_up = eventually(10s, [&] {
    return stopped_kv.get("while-stopped", true).value == std::optional<std::string>("yes");
  });
  REQUIRE(caught_up.has_value());
  std::cout << "[sigterm] the restarted replica showed the write it missed after "
            << caught_up->count() << " ms" << std::endl;
  require_linearizable(recorder, "sigterm");
  INFO(cluster.unexpected_exits());
  CHECK(cluster.unexpected_exits().empty());
}

}  // namespace
}  // namespace paxoskv::e2e

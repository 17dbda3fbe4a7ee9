// GET /livez and GET /readyz on real replicas: readiness follows whether the replica
// reaches a majority (within 5 s, as the contract says) and whether it finished its
// start-up catch-up; liveness only says the process runs.
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "tests/e2e/eventually.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {
namespace {

using namespace std::chrono_literals;

// The contract: /readyz follows a change within 5 s.
constexpr std::chrono::milliseconds kFollowLimit = 5s;

struct Probe {
  int status = 0;  // 0: no answer
  nlohmann::json body;
};

Probe probe(std::uint16_t port, const std::string& path) {
  HttpClient client(port, 1s);
  const std::optional<HttpResponse> response = client.get(path);
  if (!response) return {};
  return Probe{response->status, response->json()};
}

// Waits up to `limit` for replica `id`'s /readyz to answer `status`; how long it took.
std::optional<std::chrono::milliseconds> readyz_turns(TestCluster& cluster, int id, int status,
                                                      std::chrono::milliseconds limit) {
  return eventually(
      limit, [&] { return probe(cluster.client_port(id), "/readyz").status == status; }, 50ms);
}

void require_live(TestCluster& cluster, int id) {
  const Probe live = probe(cluster.client_port(id), "/livez");
  CHECK(live.status == 200);
  CHECK(live.body == nlohmann::json{{"status", "ok"}});
}

TEST_CASE("e2e: readyz turns 503 when a replica loses its majority and 200 when it is back",
          "[e2e][readiness]") {
  TestCluster cluster;
  // Ready once it pulled its peers' changes (their pulls run once a second).
  for (int id : cluster.ids()) {
    INFO("replica " << id);
    REQUIRE(readyz_turns(cluster, id, 200, 10s));
    const Probe ready = probe(cluster.client_port(id), "/readyz");
    CHECK(ready.body ==
          nlohmann::json{{"status", "ready"}, {"reaches_majority", true}, {"caught_up", true}});
    require_live(cluster, id);
  }

  SECTION("its peers paused: their connections stay open, they only fall silent") {
    cluster.pause(2);
    cluster.pause(3);
    const auto turned = readyz_turns(cluster, 1, 503, kFollowLimit);
    INFO("503 after " << (turned ? turned->count() : -1) << " ms");
    REQUIRE(turned);
    const Probe not_ready = probe(cluster.client_port(1), "/readyz");
    CHECK(not_ready.body == nlohmann::json{{"status", "not ready"},
                                           {"reaches_majority", false},
                                           {"caught_up", true}});
    require_live(cluster, 1);
    // One peer back is a majority again.
    cluster.resume(2);
    const auto back = readyz_turns(cluster, 1, 200, kFollowLimit);
    INFO("200 again after " << (back ? back->count() : -1) << " ms");
    CHECK(back);
    cluster.resume(3);
    for (int id : cluster.ids()) CHECK(readyz_turns(cluster, id, 200, kFollowLimit));
  }

  SECTION("its peers killed, then started again") {
    cluster.kill(2);
    cluster.kill(3);
    const auto turned = readyz_turns(cluster, 1, 503, kFollowLimit);
    INFO("503 after " << (turned ? turned->count() : -1) << " ms");
    REQUIRE(turned);
    require_live(cluster, 1);
    cluster.start(2);
    cluster.start(3);
    for (int id : cluster.ids()) {
      INFO("replica " << id);
      CHECK(readyz_turns(cluster, id, 200, kFollowLimit));
      require_live(cluster, id);
    }
  }
}

TEST_CASE("e2e: a replica started alone is live but not ready: no majority, no catch-up",
          "[e2e][readiness]") {
  TestCluster cluster;
  cluster.kill_all();
  cluster.start(1);
  require_live(cluster, 1);
  // Give it the time a catch-up would take with its peers up.
  std::this_thread::sleep_for(3s);
  const Probe alone = probe(cluster.client_port(1), "/readyz");
  CHECK(alone.status == 503);
  CHECK(alone.body ==
        nlohmann::json{{"status", "not ready"}, {"reaches_majority", false}, {"caught_up", false}});
  cluster.start(2);
  for (int id : {1, 2}) {
    INFO("replica " << id);
    CHECK(readyz_turns(cluster, id, 200, 10s));
  }
}

}  // namespace
}  // namespace paxoskv::e2e

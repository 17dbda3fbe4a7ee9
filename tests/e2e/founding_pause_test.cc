// A replica restarted on a wiped data dir while the peers that know its id are paused (a
// stall, not a failure: their connections stay open) must not found: once they go on, it
// would vote with every promise forgotten, and an acknowledged write is lost.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "tests/e2e/kv_client.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {
namespace {

using namespace std::chrono_literals;

// Once every replica heard from every other (each asks each peer for changes once a
// second), x is chosen by replicas 1 and 2 while 3 is down; then replica 2 loses its disk.
void lock_chosen_by_1_and_2_then_2_wiped(TestCluster& cluster) {
  std::this_thread::sleep_for(1500ms);
  cluster.kill(3);
  {
    KvClient kv(cluster.client_port(1));
    const KvReply put = kv.put("lock", "x");
    INFO(put.describe());
    REQUIRE(put.status == 200);
  }
  cluster.kill(2);
  std::filesystem::remove_all(cluster.data_dir(2));
}

// The acknowledged write of "lock" (x) must still be what a linearizable read on replica 3
// returns.
void check_lock_acknowledged_x(TestCluster& cluster) {
  KvClient kv(cluster.client_port(3));
  const KvReply read = kv.get("lock");
  INFO("linearizable read of an acknowledged write: " << read.describe());
  CHECK(read.value == std::optional<std::string>("x"));
}

TEST_CASE("e2e: a wiped replica does not found while the peers that know it are paused",
          "[e2e][founding]") {
  TestCluster cluster;
  lock_chosen_by_1_and_2_then_2_wiped(cluster);
  // Replica 1 stalls; replica 3 comes back on its intact data dir
  // (it cannot learn x: 1 is stalled, 2 is down), then stalls too.
  cluster.pause(1);
  cluster.start(3);
  cluster.pause(3);

  // Both peers know id 2 and both are reachable: their connections are accepted, they are
  // only slow to answer. Replica 2 must not take part under its old id.
  // It waits for their answers, however long they take.
  bool refused = false;
  try {
    cluster.start(2);
  } catch (const std::runtime_error& error) {
    refused = true;
    INFO(error.what());
    CHECK(cluster.running(2));
  }
  cluster.resume(3);
  cluster.resume(1);
  if (refused) {
    const auto status = cluster.wait_for_exit(2, 10s);
    CHECK((status && WIFEXITED(*status) && WEXITSTATUS(*status) == 2));
  } else {
    // It founded: replicas 2 (every promise forgotten) and 3 are a majority without x.
    check_lock_acknowledged_x(cluster);
  }
  CHECK(refused);
}

// Hidden: what the start-up contract allows today ("unless a reachable peer already knows this
// replica id"). Peers that crashed and come back with their disks are no failure in crash-recovery
// Paxos, yet a wiped replica that starts while they are down founds, and once one of them
// is back the two are a majority without an acknowledged write.
TEST_CASE("e2e: a wiped replica does not found while the peers that know it are down",
          "[.][e2e][founding]") {
  TestCluster cluster;
  lock_chosen_by_1_and_2_then_2_wiped(cluster);
  cluster.kill(1);
  bool refused = false;
  try {
    cluster.start(2);  // both peers refuse the connection: it founds at once
  } catch (const std::runtime_error&) {
    refused = true;
  }
  cluster.start(3);  // back on its intact data dir
  if (!refused) {
    check_lock_acknowledged_x(cluster);
  }
  CHECK(refused);
}

}  // namespace
}  // namespace paxoskv::e2e

// Locks and leader election through the embedded API: one holder at a time, fencing
// tokens that grow, a waiter that takes over at once on release, a bounded wait, and a
// hold that knows when its lease is gone.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "paxoskv/node.h"
#include "tests/node/embedded_cluster.h"

namespace paxoskv::node_test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE("locks: one holder at a time, the next one with a larger fencing token",
          "[node][lease][lock]") {
  EmbeddedCluster cluster;
  HoldResult first = cluster.node(1).lock("locks/db", 5s);
  REQUIRE(first.result.ok());
  REQUIRE(first.hold);
  CHECK(first.hold->held());
  CHECK(first.hold->key() == "locks/db");
  CHECK(cluster.node(2).get("locks/db").ok());

  // Held: a bounded wait on another replica gives up with a conflict.
  const HoldResult refused = cluster.node(2).lock("locks/db", 5s, 300ms);
  CHECK(refused.result.code == Errc::conflict);
  CHECK_FALSE(refused.hold);

  // A waiter gets it as soon as the holder releases, with a larger fencing token.
  auto waiter =
      std::async(std::launch::async, [&] { return cluster.node(3).lock("locks/db", 5s); });
  std::this_thread::sleep_for(200ms);
  const auto released = Clock::now();
  REQUIRE(first.hold->release().ok());
  CHECK_FALSE(first.hold->held());
  HoldResult second = waiter.get();
  REQUIRE(second.result.ok());
  CHECK(Clock::now() - released < 2s);
  CHECK(second.hold->fencing_token() > first.hold->fencing_token());
}

TEST_CASE("locks: a hold whose lease is revoked knows it lost the key", "[node][lease][lock]") {
  EmbeddedCluster cluster;
  HoldResult taken = cluster.node(1).lock("locks/job", 3s);
  REQUIRE(taken.result.ok());
  REQUIRE(cluster.node(2).revoke_lease(taken.hold->lease()).ok());
  CHECK(eventually(3s, [&] { return !taken.hold->held(); }));
  CHECK(eventually(2s, [&] { return cluster.node(1).get("locks/job").code == Errc::not_found; }));
}

TEST_CASE("election: the leader's value is the key's, the next leader follows its resignation",
          "[node][lease][lock]") {
  EmbeddedCluster cluster;
  HoldResult leader = cluster.node(1).campaign("service/leader", "node-a", 5s);
  REQUIRE(leader.result.ok());
  CHECK(cluster.node(3).get("service/leader").value == "node-a");
  auto next = std::async(std::launch::async,
                         [&] { return cluster.node(2).campaign("service/leader", "node-b", 5s); });
  std::this_thread::sleep_for(200ms);
  leader.hold.reset();  // resigns
  HoldResult successor = next.get();
  REQUIRE(successor.result.ok());
  CHECK(cluster.node(1).get("service/leader").value == "node-b");
  CHECK(successor.hold->fencing_token() > leader.result.version);
}

}  // namespace
}  // namespace paxoskv::node_test

// An expiry accepted by too few acceptors to be chosen must not block the lease's key,
// and one that may have been chosen must never be replaced (see
// Proposer::highest_cannot_be_chosen and Proposer::give_up_refused_expiry).
#include <catch2/catch.hpp>

#include "consensus/lease.h"
#include "tests/consensus/scripted_cluster.h"
#include "tests/consensus/scripted_lease.h"

namespace paxoskv::sim {

using consensus::KeepAlive;
using consensus::LeaseState;
using consensus::Outcome;

namespace {

using namespace scripted_lease;

void plant_discard_ignoring_unheard(consensus::CoreConfig& config) {
  config.planted_bug = consensus::PlantedBug::kExpiryDiscardIgnoresUnheard;
}

// Replica 1 proposes the lease's expiry once it ran out everywhere; 1 and the one other
// replica its phase 2 asks accept it, so it is chosen, but no one hears so (the Accepted
// is lost). Then that other replica goes down and 1 restarts (forgetting its proposal).
// A revoke through the third replica finds the expiry at 1 only; the replica down holds
// it too, and does not answer. Returns the revoke's request id.
consensus::RequestId choose_expiry_unknown_to_all(ScriptedCluster& cluster) {
  grant(cluster);
  run_for(cluster, 1200);
  cluster.submit(1, 2, lease_key(), lease_write(LeaseState::kExpired, 1), 10000);
  const auto accepts = cluster.queued([](const Envelope& e) { return is<consensus::Accept>(e); });
  REQUIRE(accepts.size() == 1);
  const consensus::NodeId holder = accepts.front().to;
  const consensus::NodeId third = holder == 2 ? 3 : 2;
  cluster.deliver([](const Envelope& e) { return is<consensus::Accept>(e); });
  cluster.drop([](const Envelope&) { return true; });
  REQUIRE(cluster.acceptor(1, lease_key()).accepted);
  REQUIRE(cluster.acceptor(holder, lease_key()).accepted);
  REQUIRE_FALSE(cluster.acceptor(third, lease_key()).accepted);
  REQUIRE_FALSE(cluster.completion(2));
  cluster.crash(holder);
  cluster.crash(1);
  cluster.start(1);
  cluster.submit(third, 3, lease_key(), lease_write(LeaseState::kRevoked, 1), 3000);
  run_for(cluster, 2000);
  return 3;
}

}  // namespace

// Was a liveness bug (fixed: a phase 1 that finds an expiry on too few acceptors for it
// to have been chosen proposes its own value; an expiry of ours left unanswered is given
// up): replica 1 misses the keepalives (2 and 3 answer them) and, its own clock run out,
// proposes the expiry, which only its own acceptor accepts. Every phase 1 that heard from
// 1 had to propose that expiry again, and 2 and 3 refused it as long as the holder kept
// the lease alive: a revoke (or a read that waits for the slot, or a membership change's
// carry-over of the key) did not get through, although a majority was up and connected.
TEST_CASE("an expiry accepted early by a minority does not block a revoke of a live lease",
          "[lease][adversarial][liveness]") {
  ScriptedCluster cluster(3);
  grant(cluster);          // t = 0
  run_for(cluster, 1100);  // t = 1100
  cluster.keep_alive(2, 2, kLease);
  cluster.drop([](const Envelope& e) { return is<KeepAlive>(e) && e.to == 1; });
  cluster.deliver_all();
  REQUIRE(cluster.completion(2));
  REQUIRE(cluster.completion(2)->outcome == Outcome::kOk);
  cluster.submit(1, 3, lease_key(), lease_write(LeaseState::kExpired, 1), 100000);
  cluster.deliver_all();
  REQUIRE(cluster.acceptor(1, lease_key()).accepted);
  CHECK_FALSE(cluster.completion(3));

  cluster.submit(3, 4, lease_key(), lease_write(LeaseState::kRevoked, 1), 3000);
  for (consensus::RequestId id = 10; id < 20; ++id) {  // the holder keeps it alive
    cluster.keep_alive(2, id, kLease);
    run_for(cluster, 300);
  }
  REQUIRE(cluster.completion(4));
  CHECK(cluster.completion(4)->outcome == Outcome::kOk);
  const auto record = consensus::lease_in(cluster.applied(2, lease_key()).value);
  REQUIRE(record);
  CHECK(record->state == LeaseState::kRevoked);
  CHECK(cluster.counters(1).expiries_given_up + cluster.counters(3).expiries_given_up > 0);
}

TEST_CASE("an expiry that a silent voter may hold is proposed again, not replaced",
          "[lease][adversarial]") {
  ScriptedCluster cluster(3);
  const consensus::RequestId revoke = choose_expiry_unknown_to_all(cluster);
  // The revoke's phase 1 could not rule the expiry out: it proposed it again, and the
  // revoke, conditional on the live version, fails.
  const auto chosen = cluster.chosen(lease_key(), 2);
  REQUIRE(chosen);
  const auto record = consensus::lease_in(*chosen);
  REQUIRE(record);
  CHECK(record->state == LeaseState::kExpired);
  REQUIRE(cluster.completion(revoke));
  CHECK(cluster.completion(revoke)->outcome != Outcome::kOk);
}

// The teeth of the one above: counting only the promisers as possible holders, the
// revoke replaces an expiry that 1 and 2 had chosen.
TEST_CASE("counting only the promisers as holders replaces a chosen expiry",
          "[lease][adversarial][teeth]") {
  ScriptedCluster cluster(3, plant_discard_ignoring_unheard);
  choose_expiry_unknown_to_all(cluster);
  const auto chosen = cluster.chosen(lease_key(), 2);
  REQUIRE(chosen);
  const auto record = consensus::lease_in(*chosen);
  REQUIRE(record);
  CHECK(record->state == LeaseState::kRevoked);  // yet {1, 2} had accepted the expiry
}

}  // namespace paxoskv::sim

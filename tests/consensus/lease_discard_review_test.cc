// Review of the recovery from an expiry accepted early (Proposer::highest_cannot_be_chosen,
// Proposer::give_up_refused_expiry): scenarios that try to get two values chosen for one
// slot of a lease's key. Those below did, until an expiry of ours dropped in flight made
// the key's record forget the leadership a reload would restore (Proposer::
// forget_led_ballot): each fails without it.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "consensus/lease.h"
#include "tests/consensus/scripted_cluster.h"
#include "tests/consensus/scripted_lease.h"

namespace paxoskv::sim {

using consensus::Accept;
using consensus::LeaseState;
using consensus::Outcome;

namespace {

using namespace scripted_lease;

// Replica 1 keeps no idle key in memory: a key it stops working on is reloaded from its
// store at the next use (see Proposer::restore_leadership).
void evict_at_once_at_1(consensus::CoreConfig& config) {
  if (config.self == 1) config.max_cached_keys = 0;
}

// Advances the time in ticks without delivering anything: what the ticks send queues.
void tick_for(ScriptedCluster& cluster, consensus::TimeMs ms) {
  for (consensus::TimeMs passed = 0; passed < ms; passed += 5) cluster.advance(5);
}

bool accept_of(const Envelope& e, LeaseState state) {
  const auto* accept = std::get_if<Accept>(&e.message);
  if (accept == nullptr) return false;
  const auto record = consensus::lease_in(accept->value);
  return record && record->state == state;
}

// Replica 1 leads the lease's key (it chose the grant at ballot B, and skips phase 1
// after). It proposes the expiry (say, handed over by a replica whose clock ran out) at
// B, while the lease is alive on every clock, its own included: its own acceptor refuses
// it, the Accepts to 2 and 3 are slow. The expiry is dropped unanswered (its phase timed
// out: give_up_refused_expiry; or its deadline passed: expire_writes), the key goes idle
// and leaves 1's memory. Reloaded, its leadership of B is restored (the acceptor record
// shows led == promised == B and no accepted proposal), so the revoke that comes next
// goes out at B too, into the same slot: 2 and 3 accept it, and it is chosen. Then the
// slow Accepts of the expiry arrive, the lease now run out on 2's and 3's clocks: both
// accept it at B over the revoke. A majority held each value at one ballot, and 2 applies
// the expiry when the revoke's Commit (slot, ballot) reaches it, while 1 applied the
// revoke. Returns whether two values were chosen for the slot.
bool expiry_dropped_then_leadership_reloaded(consensus::TimeMs expiry_timeout_ms) {
  ScriptedCluster cluster(3, evict_at_once_at_1);
  grant(cluster);  // t = 0, chosen by 1 at its ballot B
  const consensus::AcceptorRecord after_grant = cluster.acceptor(1, lease_key());
  REQUIRE_FALSE(after_grant.led.is_zero());
  REQUIRE(after_grant.led == after_grant.promised);
  run_for(cluster, 100);

  // The expiry, at B by the fast path: 1's acceptor refuses it, the others' Accepts wait.
  cluster.submit(1, 2, lease_key(), lease_write(LeaseState::kExpired, 1), expiry_timeout_ms);
  REQUIRE_FALSE(cluster.acceptor(1, lease_key()).accepted);
  tick_for(cluster, 300);  // past the phase timeout (or the deadline): dropped
  REQUIRE(cluster.completion(2));
  CHECK(cluster.completion(2)->outcome == Outcome::kNoQuorum);
  const auto expiry_accepts =
      cluster.queued([](const Envelope& e) { return accept_of(e, LeaseState::kExpired); });
  REQUIRE(expiry_accepts.size() >= 2);  // to 2 and (spread) to 3
  for (const Envelope& e : expiry_accepts) {
    REQUIRE(std::get<Accept>(e.message).ballot == after_grant.led);
  }
  // Anything else queued (the others' catch-up asks) is lost.
  cluster.drop([](const Envelope& e) { return !accept_of(e, LeaseState::kExpired); });
  REQUIRE(cluster.acceptor(1, lease_key()).promised == after_grant.led);

  // A revoke through 1: the key is reloaded; if its leadership is restored, the revoke
  // goes out at B, with no phase 1.
  cluster.submit(1, 3, lease_key(), lease_write(LeaseState::kRevoked, 1), 10000);
  bool two_values = false;
  try {
    // The revoke is accepted and chosen; its Commits wait.
    cluster.deliver([](const Envelope& e) {
      return accept_of(e, LeaseState::kRevoked) || is<consensus::Accepted>(e) ||
             is<consensus::Prepare>(e) || is<consensus::Promise>(e);
    });
    tick_for(cluster, 1000);  // t ~ 1400: the lease ran out on every clock
    cluster.drop([](const Envelope& e) { return is<consensus::CatchUpRequest>(e); });
    // The slow expiry Accepts arrive, then everything else.
    cluster.deliver([](const Envelope& e) { return accept_of(e, LeaseState::kExpired); });
    cluster.deliver_all();
    run_for(cluster, 1000);
  } catch (const std::logic_error& error) {
    UNSCOPED_INFO(error.what());
    two_values = true;
  }
  const auto at_1 = cluster.applied(1, lease_key());
  for (const consensus::NodeId other : {2, 3}) {
    const auto at_other = cluster.applied(other, lease_key());
    if (at_other.version == at_1.version && at_other.value != at_1.value) two_values = true;
  }
  return two_values;
}

}  // namespace

TEST_CASE("an expiry given up at its phase timeout, then a reloaded leadership, choose once",
          "[lease][review]") {
  CHECK_FALSE(expiry_dropped_then_leadership_reloaded(10000));
}

TEST_CASE("an expiry dropped at its deadline, then a reloaded leadership, choose once",
          "[lease][review]") {
  CHECK_FALSE(expiry_dropped_then_leadership_reloaded(150));
}

// The same without a slow message, the expiry coming the way the node's duty sends it:
// replica 2 misses the keepalives (1 and 3 answer them), its clock runs out and it
// proposes the expiry, which goes to the leader, 1. Its phase 2 at B is accepted by 2
// only (1 and 3 saw the keepalives): given up, the key leaves 1's memory, and a revoke
// through 1 goes out at B again. Its Accept to 2 is lost, 3 accepts it and it is chosen;
// then the Commit (slot, ballot B) reaches 2, which holds the expiry at B, and applies it.
TEST_CASE("an expiry handed to the leader and given up, then a lost Accept, choose once",
          "[lease][review]") {
  ScriptedCluster cluster(3, evict_at_once_at_1);
  grant(cluster);  // t = 0, chosen by 1 at its ballot B
  const consensus::Ballot led = cluster.acceptor(1, lease_key()).led;
  run_for(cluster, 1100);
  cluster.keep_alive(3, 2, kLease);
  cluster.drop([](const Envelope& e) { return is<consensus::KeepAlive>(e) && e.to == 2; });
  cluster.deliver_all();
  REQUIRE(succeeded(cluster, 2));

  cluster.submit(2, 3, lease_key(), lease_write(LeaseState::kExpired, 1), 10000);
  run_for(cluster, 40);  // the Accept goes to 3, then (3 silent) to 2 as well
  const auto held_at_2 = cluster.acceptor(2, lease_key()).accepted;
  REQUIRE(held_at_2);
  REQUIRE(held_at_2->ballot == led);  // proposed by 1, without phase 1
  REQUIRE_FALSE(cluster.acceptor(1, lease_key()).accepted);
  REQUIRE_FALSE(cluster.acceptor(3, lease_key()).accepted);
  tick_for(cluster, 250);  // 1 gives it up
  REQUIRE(cluster.counters(1).expiries_given_up == 1);
  cluster.drop([](const Envelope& e) { return e.to == 2 || e.from == 2; });

  bool two_values = false;
  try {
    cluster.submit(1, 4, lease_key(), lease_write(LeaseState::kRevoked, 1), 10000);
    cluster.drop([](const Envelope& e) { return is<Accept>(e) && e.to == 2; });
    cluster.deliver_all();
    run_for(cluster, 1000);
  } catch (const std::logic_error& error) {
    UNSCOPED_INFO(error.what());
    two_values = true;
  }
  const auto at_1 = cluster.applied(1, lease_key());
  const auto at_2 = cluster.applied(2, lease_key());
  if (at_1.version == at_2.version && at_1.value != at_2.value) two_values = true;
  CHECK_FALSE(two_values);
  CHECK(succeeded(cluster, 4));
}

}  // namespace paxoskv::sim

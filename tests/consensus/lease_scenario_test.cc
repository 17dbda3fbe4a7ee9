// Scripted lease scenarios, message by message: the acceptors' clock check on an expiry,
// and the refusal of keepalives by an acceptor that accepted one (see consensus/lease.h).
#include <catch2/catch.hpp>

#include "consensus/lease.h"
#include "tests/consensus/scripted_cluster.h"
#include "tests/consensus/scripted_lease.h"

namespace paxoskv::sim {

using consensus::Accept;
using consensus::KeepAliveAck;
using consensus::LeaseRecord;
using consensus::LeaseState;
using consensus::Outcome;
using consensus::PutOp;

namespace {

using namespace scripted_lease;

std::uint64_t refusals(ScriptedCluster& cluster) {
  std::uint64_t total = 0;
  for (consensus::NodeId id = 1; id <= 3; ++id)
    total += cluster.counters(id).lease_expiries_refused;
  return total;
}

}  // namespace

TEST_CASE("an expiry is accepted only once TTL, drift and margin passed since the last keepalive",
          "[lease]") {
  ScriptedCluster cluster(3);
  grant(cluster);
  run_for(cluster, 600);
  cluster.keep_alive(2, 2, kLease);
  cluster.deliver_all();
  REQUIRE(cluster.completion(2));
  CHECK(cluster.completion(2)->outcome == Outcome::kOk);

  // Proposed at once: every acceptor saw the keepalive just now and refuses (no answer).
  // The proposer gives the attempt up after its phase timeout, and the duty asks again,
  // in vain until the wait has passed on the acceptors' clocks.
  consensus::RequestId expiry = 3;
  const consensus::TimeMs wait = consensus::expiry_wait(kTtl);
  CHECK(wait == kTtl + 1 + consensus::kExpiryMarginMs);
  CHECK_FALSE(run_expiry_duty(cluster, 3, expiry, wait - 10));
  CHECK(refusals(cluster) > 0);
  CHECK(cluster.counters(3).expiries_given_up > 0);
  CHECK(cluster.applied(1, lease_key()).version == 1);
  // Then it is chosen, and the lease refuses keepalives from then on.
  CHECK(run_expiry_duty(cluster, 3, ++expiry, 1000));
  cluster.keep_alive(1, 4, kLease);
  cluster.deliver_all();
  REQUIRE(cluster.completion(4));
  CHECK(cluster.completion(4)->outcome == Outcome::kNotFound);
}

TEST_CASE("an acceptor that accepted an expiry refuses keepalives, and the others then delay it",
          "[lease]") {
  ScriptedCluster cluster(3);
  grant(cluster);
  run_for(cluster, 2000);  // no keepalive: the lease ran out everywhere
  // Replica 1 proposes the expiry; only its own acceptor gets it.
  cluster.submit(1, 2, lease_key(), lease_write(LeaseState::kExpired, 1), 10000);
  cluster.drop([](const Envelope& e) { return is<Accept>(e); });
  REQUIRE(cluster.acceptor(1, lease_key()).accepted);
  // A keepalive now: replica 1 refuses it, 2 and 3 acknowledge it, which renews the lease.
  bool refused_by_1 = false;
  ScriptedCluster::Watcher watcher;
  watcher.delivered = [&](const Envelope& envelope) {
    if (is<KeepAliveAck>(envelope) && envelope.from == 1) {
      refused_by_1 = !std::get<KeepAliveAck>(envelope.message).ok;
    }
  };
  cluster.watch(watcher);
  cluster.keep_alive(2, 3, kLease);
  cluster.deliver_all();
  REQUIRE(cluster.completion(3));
  CHECK(cluster.completion(3)->outcome == Outcome::kOk);
  CHECK(refused_by_1);
  cluster.watch({});
  // The expiry found accepted at replica 1 is shown unchosen (the others report none) and
  // proposed afresh by the duty, but 2 and 3 hold it off for the wait after the keepalive
  // they acknowledged.
  consensus::RequestId expiry = 10;
  CHECK_FALSE(run_expiry_duty(cluster, 1, expiry, consensus::expiry_wait(kTtl) - 10));
  CHECK(cluster.applied(2, lease_key()).version == 1);
  CHECK(run_expiry_duty(cluster, 1, ++expiry, 1000));
}

}  // namespace paxoskv::sim

namespace paxoskv::sim {

// The first scenario's teeth: without the acceptors' clock check, the expiry proposed right
// after a keepalive answered ok is chosen at once.
TEST_CASE("without the acceptors' clock check an expiry right after a keepalive is chosen",
          "[lease][teeth]") {
  ScriptedCluster cluster(3, [](consensus::CoreConfig& config) {
    config.planted_bug = consensus::PlantedBug::kLeaseExpiryWithoutClockCheck;
  });
  grant(cluster);
  cluster.keep_alive(2, 2, kLease);
  cluster.deliver_all();
  REQUIRE(cluster.completion(2));
  CHECK(cluster.completion(2)->outcome == Outcome::kOk);
  cluster.submit(3, 3, lease_key(), lease_write(LeaseState::kExpired, 1), 10000);
  cluster.deliver_all();
  REQUIRE(cluster.completion(3));
  CHECK(cluster.completion(3)->outcome == Outcome::kOk);
}

}  // namespace paxoskv::sim

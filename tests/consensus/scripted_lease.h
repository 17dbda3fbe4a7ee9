// What the scripted lease scenarios share: one lease of a 1 s TTL, its writes, its grant
// through replica 1, and time passing tick by tick.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "consensus/lease.h"
#include "tests/consensus/scripted_cluster.h"

namespace paxoskv::sim::scripted_lease {

inline constexpr consensus::LeaseId kLease = 7;
inline constexpr consensus::TimeMs kTtl = 1000;

inline const std::string& lease_key() {
  static const std::string key = consensus::lease_key(kLease);
  return key;
}

inline consensus::Operation lease_write(consensus::LeaseState state, consensus::Version expected) {
  return consensus::PutOp{consensus::encode_lease(consensus::LeaseRecord{kTtl, state}), expected};
}

// Grants the lease through replica 1 (request 1) and requires it done.
inline void grant(ScriptedCluster& cluster) {
  cluster.submit(1, 1, lease_key(), lease_write(consensus::LeaseState::kLive, 0));
  cluster.deliver_all();
  REQUIRE(cluster.completion(1));
  REQUIRE(cluster.completion(1)->outcome == consensus::Outcome::kOk);
}

// Advances the time in ticks, delivering what they send.
inline void run_for(ScriptedCluster& cluster, consensus::TimeMs ms) {
  for (consensus::TimeMs passed = 0; passed < ms; passed += 5) {
    cluster.advance(5);
    cluster.deliver_all();
  }
}

// Whether request `id` completed with kOk.
inline bool succeeded(ScriptedCluster& cluster, consensus::RequestId id) {
  const auto completion = cluster.completion(id);
  return completion && completion->outcome == consensus::Outcome::kOk;
}

// Whether replica `at` applied the lease's expiry.
inline bool expired_at(ScriptedCluster& cluster, consensus::NodeId at) {
  const auto record = consensus::lease_in(cluster.applied(at, lease_key()).value);
  return record && record->state == consensus::LeaseState::kExpired;
}

// The expiry duty at replica `at`, for `ms`: proposes the lease's expiry (requests `*id`,
// `*id + 1`, ...) and, each time an attempt is given up unanswered, proposes it again, as
// the node's duty does at its next sweep. Whether `at` applied the expiry by then.
inline bool run_expiry_duty(ScriptedCluster& cluster, consensus::NodeId at,
                            consensus::RequestId& id, consensus::TimeMs ms) {
  cluster.submit(at, id, lease_key(), lease_write(consensus::LeaseState::kExpired, 1), 10000);
  for (consensus::TimeMs passed = 0; passed < ms; passed += 5) {
    cluster.deliver_all();
    if (expired_at(cluster, at)) return true;
    if (cluster.completion(id)) {
      cluster.submit(at, ++id, lease_key(), lease_write(consensus::LeaseState::kExpired, 1), 10000);
    }
    cluster.advance(5);
  }
  cluster.deliver_all();
  return expired_at(cluster, at);
}

}  // namespace paxoskv::sim::scripted_lease

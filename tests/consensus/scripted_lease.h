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

}  // namespace paxoskv::sim::scripted_lease

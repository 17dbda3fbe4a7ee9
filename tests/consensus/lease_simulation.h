// A deterministic simulation of leases (see consensus/lease.h): consensus cores whose
// clocks run at rates within the stated drift bound, a seeded network that drops,
// duplicates and delays messages, partitions, crashes (the lowest-id replica, which holds
// the expiry duty, among them), and lock holders: each grants a lease, takes a lock (a key
// put only where absent, attached to the lease; its version is the fencing token), keeps
// the lease alive for a while, then dies silently or revokes it. Each replica does the
// node's expiry duty as src/replica_leases.cc does. Every run is checked:
//   - no lease expires before its TTL after the send time of its last keepalive answered
//     ok (or of its grant), in real time: the moment a majority had accepted the expiry,
//     or the first replica applied it, whichever came first;
//   - no two holders of a lock at once: a holder holds from its acquire's answer until
//     its lease's TTL after its last keepalive answered ok (or its revoke's send), and the
//     intervals of different fencing tokens never overlap;
//   - liveness: once the faults healed, a lease whose keepalives stopped expires within
//     TTL + 2 s of its last keepalive sent, and in the end every lease ended and every lock
//     key is deleted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "consensus/core.h"
#include "consensus/lease.h"

namespace paxoskv::sim {

struct LeaseSimOptions {
  std::uint64_t seed = 1;
  int replicas = 3;
  int holders = 3;  // clients, each taking the locks in turns
  int locks = 1;
  int sessions_per_holder = 3;
  consensus::TimeMs ttl_ms = 2000;
  double drop_rate = 0.05;
  double duplicate_rate = 0.03;
  consensus::TimeMs max_delay_ms = 12;
  bool partitions = true;
  bool crashes = true;
  consensus::TimeMs fault_period_ms = 6000;
  consensus::TimeMs fault_gap_min_ms = 200;
  consensus::TimeMs fault_gap_max_ms = 1200;
  // Each replica life's clock rate is 1 + d for a d within +- this (parts per million).
  std::int64_t drift_ppm = static_cast<std::int64_t>(consensus::kDriftPpm);
  consensus::TimeMs request_timeout_ms = 5000;  // the product's
  std::size_t max_cached_keys = 20000;          // 1: keys leave memory as soon as they may
  consensus::PlantedBug planted_bug = consensus::PlantedBug::kNone;
};

struct LeaseSimResult {
  bool ok = true;
  std::string failure;
  std::uint64_t leases = 0;
  std::uint64_t expiries = 0;
  std::uint64_t keepalives_ok = 0;
  std::uint64_t acquisitions = 0;
  std::uint64_t crashes = 0;
};

LeaseSimOptions lease_options_for_seed(std::uint64_t seed);
LeaseSimResult run_lease_simulation(const LeaseSimOptions& options);

}  // namespace paxoskv::sim

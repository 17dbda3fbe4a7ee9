// A deterministic simulation of a paxoskv cluster: several consensus cores in one
// process, a seeded network that drops, duplicates, delays and reorders messages,
// partitions that heal, and crashes that lose everything not persisted. Every run is
// checked for safety, agreement, linearizability and liveness after healing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core.h"

namespace paxoskv::sim {

// The product's request timeout (paxoskv::Options), or PAXOSKV_SIM_REQUEST_TIMEOUT_MS.
consensus::TimeMs default_request_timeout_ms();

struct SimOptions {
  std::uint64_t seed = 1;
  int replicas = 3;
  int keys = 3;
  int clients = 4;
  int ops_per_client = 30;
  double drop_rate = 0.05;
  double duplicate_rate = 0.03;
  consensus::TimeMs max_delay_ms = 12;
  bool partitions = true;
  bool crashes = true;
  consensus::TimeMs fault_period_ms = 4000;  // faults happen before this, then all heals
  consensus::TimeMs fault_gap_min_ms = 150;  // time between two faults
  consensus::TimeMs fault_gap_max_ms = 800;
  double quick_restart_rate = 0.5;  // restarts within a few message delays
  // How long clients wait for an answer, and the deadline they give the cores: the
  // product's default unless PAXOSKV_SIM_REQUEST_TIMEOUT_MS says otherwise.
  consensus::TimeMs request_timeout_ms = default_request_timeout_ms();
  // Replicas configured with different request timeouts (--request-timeout): replica i
  // (from 1) uses the i-th, its clients' writes get its deadline. Empty: all use
  // request_timeout_ms.
  std::vector<consensus::TimeMs> replica_request_timeouts_ms;
  std::size_t max_cached_keys = 100000;  // 1: keys leave memory as soon as they may
  // Membership changes at random moments during the faults: replicas added (new ids) and
  // removed, one change at a time, each run by a random member (see ConfigChange).
  int membership_changes = 0;
  consensus::PlantedBug planted_bug = consensus::PlantedBug::kNone;
};

struct SimResult {
  bool ok = true;
  std::string failure;  // what was violated, for the first violation found
  std::uint64_t ops_completed = 0;
  std::uint64_t ops_unknown = 0;    // no answer, or no quorum by the deadline
  std::uint64_t ops_ambiguous = 0;  // answered kUnknown
  std::uint64_t messages = 0;
  std::uint64_t crashes = 0;
  std::uint64_t changes_done = 0;  // membership changes that finished
  bool inconclusive = false;       // the linearizability search hit its budget somewhere
};

// Options for `seed`, varied by the seed itself (3 or 5 replicas, key and client counts,
// fault rates) so a range of seeds covers many shapes of run.
SimOptions options_for_seed(std::uint64_t seed);
// The same, with membership changes during the faults.
SimOptions membership_options_for_seed(std::uint64_t seed);

SimResult run_simulation(const SimOptions& options);

}  // namespace paxoskv::sim

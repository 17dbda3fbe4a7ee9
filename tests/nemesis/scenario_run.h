// One nemesis run: a fresh cluster of real replicas in private network namespaces, each on
// a small tmpfs; clients writing and reading while the nemesis deals its faults; then a
// heal and the verdicts: linearizable history, no acknowledged write lost, replicas
// converged, writes possible again.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tests/e2e/workload.h"
#include "tests/nemesis/stop_request.h"

namespace paxoskv::nemesis {

// A fault planted to show the checks catch it; the run must then report violations.
enum class Plant {
  kNone,
  kWipeDataDir,  // a replica loses its disk and rejoins a majority that lacks its writes
  kWipeAll,      // every replica loses its disk at once
  kStaleRead,    // one recorded read answer is replaced by an older state of its key
};

struct RunSettings {
  std::filesystem::path work_dir = "/tmp";  // run dirs and tmpfs mounts go here
  std::chrono::seconds fault_time{30};      // how long the nemesis deals faults
  std::size_t clients = 4;
  std::uint64_t disk_bytes = 128ULL << 20;  // each replica's tmpfs
  Plant plant = Plant::kNone;
  bool keep = false;  // keep the run dir (logs) even without violations
};

struct ScenarioReport {
  std::string nemesis;
  std::size_t replicas = 0;
  std::uint32_t seed = 0;
  e2e::WorkloadStats workload;
  std::map<std::string, std::size_t> faults;  // by kind
  std::size_t history_ops = 0;
  std::size_t states_explored = 0;
  std::chrono::milliseconds check_time{0};
  bool linearizable = true;
  bool inconclusive = false;
  std::size_t acknowledged_fresh = 0;
  std::vector<std::string> lost_writes;
  std::optional<std::chrono::milliseconds> convergence;  // after the last heal
  std::vector<std::string> replica_exits_on_full_disk;
  std::vector<std::string> violations;
  std::chrono::milliseconds duration{0};
  std::filesystem::path kept_dir;  // empty when removed
};

// Runs nemesis `nemesis` (or the planted fault) against `replicas` replicas, printing
// events and verdicts to `out`. Throws Interrupted on a stop request (after cleaning up)
// and std::runtime_error when the sandbox cannot be set up.
ScenarioReport run_scenario(const std::string& nemesis, std::size_t replicas, std::uint32_t seed,
                            const RunSettings& settings, const StopRequest& stop,
                            std::ostream& out);

}  // namespace paxoskv::nemesis

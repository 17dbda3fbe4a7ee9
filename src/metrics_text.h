// The replica's counters in the Prometheus text exposition format.
#pragma once

#include <cstdint>
#include <string>

#include "paxoskv/node.h"
#include "src/process_stats.h"
#include "src/replica.h"

namespace paxoskv {

// What /metrics shows besides the replica's counters.
struct HostFigures {
  ProcessStats process;
  std::uint64_t store_bytes = 0;  // the data dir's size on disk
  std::uint64_t quota_bytes = 0;  // --quota-bytes; 0: none
};

std::string render_metrics(std::uint32_t id, const ReplicaCounters& counters,
                           const NodeStatus& status, const HostFigures& host = {});

}  // namespace paxoskv

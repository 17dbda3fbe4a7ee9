// The replica's counters in the Prometheus text exposition format.
#pragma once

#include <cstdint>
#include <string>

#include "paxoskv/node.h"
#include "src/replica.h"

namespace paxoskv {

std::string render_metrics(std::uint32_t id, const ReplicaCounters& counters,
                           const NodeStatus& status);

}  // namespace paxoskv

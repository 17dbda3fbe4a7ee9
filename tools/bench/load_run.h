// Runs one load phase: `conns` connections spread over the client threads, each driving
// requests in a closed loop (send when answered) or an open loop (a fixed arrival
// schedule; a request waits for its connection and that wait counts in its latency).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "interrupt_watch.h"
#include "options.h"
#include "progress_line.h"
#include "protocol.h"
#include "stats.h"

namespace paxoskv::bench {

struct RunResult {
  Stats stats;
  std::chrono::nanoseconds measured{0};     // the span the measured operations cover
  bool interrupted = false;                 // cut short by Ctrl-C or SIGTERM
  std::vector<std::string> granted_leases;  // lease-grant: the ids granted
};

// Blocks until the run is over, or until `interrupt` sees a signal: then it stops at once
// and returns what was counted so far. Throws std::runtime_error when an endpoint cannot
// be resolved.
RunResult run_load(const Options& options, const Protocol& protocol, ProgressLine& progress,
                   InterruptWatch& interrupt);

}  // namespace paxoskv::bench

// What one load run counted. Each client thread fills its own and they are merged at the
// end, so the hot path takes no lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "histogram.h"
#include "timeline.h"

namespace paxoskv::bench {

struct Stats {
  Histogram latency;        // answered operations (successes, not-found reads, conflicts)
  Timeline timeline;        // the same operations by when they were answered
  std::uint64_t ops = 0;    // answered operations
  std::uint64_t reads = 0;  // of which reads (mixed workload)
  std::uint64_t not_found = 0;
  std::uint64_t conflicts = 0;
  std::map<std::string, std::uint64_t, std::less<>> errors;  // "http 503", "connect"... -> count

  void add_error(std::string_view kind);
  std::uint64_t error_count() const;
  void merge(const Stats& other);
};

// Running totals for the live progress line, shared by all client threads; warmup
// included.
struct LiveCounters {
  std::atomic<std::uint64_t> answered{0};
  std::atomic<std::uint64_t> errors{0};
};

}  // namespace paxoskv::bench

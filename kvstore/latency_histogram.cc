#include "kvstore/latency_histogram.h"

#include <algorithm>
#include <numeric>

namespace paxoskv::kvstore {

std::uint64_t LatencyCounts::total() const {
  return std::accumulate(counts.begin(), counts.end(), std::uint64_t{0});
}

void LatencyHistogram::observe(std::chrono::microseconds duration) {
  const auto micros = static_cast<std::uint64_t>(std::max<std::int64_t>(duration.count(), 0));
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(kLatencyBoundsMicros.begin(), kLatencyBoundsMicros.end(), micros) -
      kLatencyBoundsMicros.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(micros, std::memory_order_relaxed);
}

LatencyCounts LatencyHistogram::counts() const {
  LatencyCounts result;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    result.counts[i] = counts_[i].load(std::memory_order_relaxed);
  }
  result.sum_micros = sum_micros_.load(std::memory_order_relaxed);
  return result;
}

}  // namespace paxoskv::kvstore

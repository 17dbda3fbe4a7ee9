// A histogram of durations with fixed bucket bounds, safe to update from one thread and
// read from another: the store's synced-write (fsync) latency for /metrics.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace paxoskv::kvstore {

// Upper bounds of the buckets, in microseconds (the last bucket, +Inf, is implicit).
inline constexpr std::array<std::uint64_t, 14> kLatencyBoundsMicros{
    50,     100,    250,    500,     1'000,   2'500,   5'000,
    10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000};

// What a LatencyHistogram held at one moment. counts[i] counts the durations in bucket i
// alone (not cumulative); counts.back() those above every bound.
struct LatencyCounts {
  std::array<std::uint64_t, kLatencyBoundsMicros.size() + 1> counts{};
  std::uint64_t sum_micros = 0;
  std::uint64_t total() const;
};

class LatencyHistogram {
 public:
  void observe(std::chrono::microseconds duration);
  LatencyCounts counts() const;

 private:
  std::array<std::atomic<std::uint64_t>, kLatencyBoundsMicros.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_micros_{0};
};

}  // namespace paxoskv::kvstore

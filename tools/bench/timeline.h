// Operations counted per interval of a run's measured part (throughput over time). Each
// client thread fills its own and they are merged at the end; recording is one add into
// a vector that grows with the run (600 intervals for a minute).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace paxoskv::bench {

class Timeline {
 public:
  static constexpr std::chrono::milliseconds kInterval{100};

  // One operation that ended `since_start` into the measured part (negative: counted in
  // the first interval).
  void record(std::chrono::nanoseconds since_start);
  void merge(const Timeline& other);

  // The count of each interval, the first from the measured part's start.
  const std::vector<std::uint64_t>& counts() const { return counts_; }

 private:
  std::vector<std::uint64_t> counts_;
};

// One point of throughput over time: the end of an interval, seconds from the measured
// part's start, and the operations per second in it.
struct RatePoint {
  double end_s = 0;
  double ops_per_s = 0;
};

// The timeline as rates over `span` (the measured part's length), in intervals of a
// multiple of Timeline::kInterval chosen so that there are at most `max_points`. Counts
// past `span` (answers to requests sent before its end) go to the last interval; a last
// interval shorter than the others is divided by its own length.
std::vector<RatePoint> rates(const Timeline& timeline, std::chrono::nanoseconds span,
                             std::size_t max_points = 200);

}  // namespace paxoskv::bench

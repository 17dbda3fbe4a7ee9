#include "timeline.h"

#include <algorithm>

namespace paxoskv::bench {

void Timeline::record(std::chrono::nanoseconds since_start) {
  const auto index = static_cast<std::size_t>(std::max<std::int64_t>(0, since_start / kInterval));
  if (index >= counts_.size()) counts_.resize(index + 1, 0);
  ++counts_[index];
}

void Timeline::merge(const Timeline& other) {
  if (other.counts_.size() > counts_.size()) counts_.resize(other.counts_.size(), 0);
  for (std::size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
}

std::vector<RatePoint> rates(const Timeline& timeline, std::chrono::nanoseconds span,
                             std::size_t max_points) {
  std::vector<RatePoint> points;
  const std::vector<std::uint64_t>& counts = timeline.counts();
  if (span.count() <= 0 || counts.empty() || max_points == 0) return points;
  const std::chrono::nanoseconds base = Timeline::kInterval;
  const auto base_intervals =
      static_cast<std::size_t>((span + base - std::chrono::nanoseconds(1)) / base);
  // 1, 2, 5, 10, 20, 50, ... base intervals each.
  std::size_t factor = 1;
  for (std::size_t step = 0;; ++step) {
    const std::size_t intervals = (base_intervals + factor - 1) / factor;
    if (intervals <= max_points) break;
    factor = (step % 3 == 1) ? factor / 2 * 5 : factor * 2;
  }
  const std::chrono::nanoseconds width = base * static_cast<std::int64_t>(factor);
  const auto intervals =
      static_cast<std::size_t>((span + width - std::chrono::nanoseconds(1)) / width);
  std::vector<std::uint64_t> totals(intervals, 0);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    totals[std::min(i / factor, intervals - 1)] += counts[i];
  }
  for (std::size_t i = 0; i < intervals; ++i) {
    const std::chrono::nanoseconds begin = width * static_cast<std::int64_t>(i);
    const std::chrono::nanoseconds end = std::min(span, begin + width);
    const double seconds = std::chrono::duration<double>(end - begin).count();
    points.push_back(
        {std::chrono::duration<double>(end).count(), static_cast<double>(totals[i]) / seconds});
  }
  return points;
}

}  // namespace paxoskv::bench

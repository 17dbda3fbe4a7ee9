#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace paxoskv::bench {
namespace {

// Each power-of-two range [2^e, 2^(e+1)) is cut into 2^kSubBits equal buckets, so a
// bucket is at most 1/2^kSubBits of the values it holds. Values below 2^(kSubBits+1)
// have a bucket each.
constexpr int kSubBits = 7;
constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBits;
constexpr std::uint64_t kLinearLimit = kSubBuckets * 2;

constexpr int top_bit(std::uint64_t value) {
  return std::bit_width(value) - 1;
}

constexpr std::size_t bucket_count() {
  const int top_exponent = top_bit(Histogram::kHighestNanos);
  return kLinearLimit + static_cast<std::size_t>(top_exponent - kSubBits) * kSubBuckets;
}

}  // namespace

Histogram::Histogram() : buckets_(bucket_count(), 0) {}

std::size_t Histogram::bucket_of(std::uint64_t value) {
  if (value < kLinearLimit) return static_cast<std::size_t>(value);
  const int exponent = top_bit(value);
  const int shift = exponent - kSubBits;
  const std::uint64_t sub_bucket = (value >> shift) - kSubBuckets;  // 0 .. kSubBuckets-1
  return static_cast<std::size_t>(
      kLinearLimit + static_cast<std::uint64_t>(exponent - kSubBits - 1) * kSubBuckets +
      sub_bucket);
}

std::uint64_t Histogram::bucket_low(std::size_t bucket) {
  if (bucket < kLinearLimit) return bucket;
  const std::uint64_t past_linear = bucket - kLinearLimit;
  const int shift = static_cast<int>(past_linear / kSubBuckets) + 1;
  const std::uint64_t sub_bucket = past_linear % kSubBuckets;
  return (kSubBuckets + sub_bucket) << shift;
}

std::uint64_t Histogram::bucket_high(std::size_t bucket) {
  if (bucket < kLinearLimit) return bucket;
  const int shift = static_cast<int>((bucket - kLinearLimit) / kSubBuckets) + 1;
  return bucket_low(bucket) + (std::uint64_t{1} << shift) - 1;
}

void Histogram::record(std::uint64_t nanos) {
  const std::uint64_t value = std::min(nanos, kHighestNanos);
  ++buckets_[bucket_of(value)];
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = std::max(max_, value);
  ++count_;
  sum_ += static_cast<long double>(value);
}

void Histogram::record(std::chrono::nanoseconds latency) {
  record(static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0)));
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void Histogram::reset() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  min_ = 0;
  max_ = 0;
  sum_ = 0;
}

double Histogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t Histogram::percentile(double quantile) const {
  if (count_ == 0) return 0;
  const double clamped = std::clamp(quantile, 0.0, 1.0);
  // The rank of the wanted value, 1-based: the smallest value with at least this many
  // values at or below it.
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(clamped * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < buckets_.size(); ++bucket) {
    seen += buckets_[bucket];
    if (seen >= rank) {
      // The middle of the bucket halves the worst error; the exact extremes are known.
      const std::uint64_t middle =
          bucket_low(bucket) + (bucket_high(bucket) - bucket_low(bucket)) / 2;
      return std::clamp(middle, min_, max_);
    }
  }
  return max_;
}

}  // namespace paxoskv::bench

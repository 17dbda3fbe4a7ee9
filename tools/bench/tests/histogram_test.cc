#include "tools/bench/histogram.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using paxoskv::bench::Histogram;

namespace {

// The histogram promises 1/128 of a value; the tests allow 1 %.
constexpr double kPrecision = 0.01;

// The exact q-quantile of `values` in the histogram's sense: the smallest value with at
// least ceil(q * n) values at or below it.
std::uint64_t exact_percentile(std::vector<std::uint64_t> values, double quantile) {
  std::sort(values.begin(), values.end());
  const auto rank = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::ceil(quantile * static_cast<double>(values.size()))));
  return values[rank - 1];
}

void require_close(std::uint64_t measured, std::uint64_t exact) {
  INFO("measured " << measured << " exact " << exact);
  REQUIRE(std::abs(static_cast<double>(measured) - static_cast<double>(exact)) <=
          kPrecision * static_cast<double>(exact) + 1.0);
}

}  // namespace

TEST_CASE("an empty histogram answers zeros", "[histogram]") {
  const Histogram histogram;
  REQUIRE(histogram.count() == 0);
  REQUIRE(histogram.percentile(0.99) == 0);
  REQUIRE(histogram.max() == 0);
  REQUIRE(histogram.mean() == 0.0);
}

TEST_CASE("every value from 1 us to 60 s is kept within 1 %", "[histogram]") {
  // A value between two far-off neighbours is the median; min and max clamping cannot
  // help it, so this measures the bucket precision alone.
  for (double value = 1e3; value <= 60e9; value *= 1.037) {
    Histogram histogram;
    histogram.record(std::uint64_t{1});
    histogram.record(static_cast<std::uint64_t>(value));
    histogram.record(Histogram::kHighestNanos);
    require_close(histogram.percentile(0.5), static_cast<std::uint64_t>(value));
  }
}

TEST_CASE("percentiles of a uniform distribution", "[histogram]") {
  std::mt19937_64 random(7);
  std::uniform_int_distribution<std::uint64_t> latency(10'000, 50'000'000);  // 10 us .. 50 ms
  std::vector<std::uint64_t> values(200'000);
  Histogram histogram;
  for (auto& value : values) {
    value = latency(random);
    histogram.record(value);
  }
  REQUIRE(histogram.count() == values.size());
  for (const double quantile : {0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    INFO("quantile " << quantile);
    require_close(histogram.percentile(quantile), exact_percentile(values, quantile));
  }
  REQUIRE(histogram.max() == *std::max_element(values.begin(), values.end()));
  REQUIRE(histogram.min() == *std::min_element(values.begin(), values.end()));
}

TEST_CASE("percentiles of a long-tailed (log-normal) distribution", "[histogram]") {
  std::mt19937_64 random(11);
  std::lognormal_distribution<double> latency(std::log(800'000.0), 1.2);  // median 800 us
  std::vector<std::uint64_t> values(300'000);
  Histogram histogram;
  double sum = 0;
  for (auto& value : values) {
    value = static_cast<std::uint64_t>(latency(random));
    histogram.record(value);
    sum += static_cast<double>(std::min(value, Histogram::kHighestNanos));
  }
  for (const double quantile : {0.5, 0.9, 0.99, 0.999, 0.9999}) {
    INFO("quantile " << quantile);
    require_close(histogram.percentile(quantile), exact_percentile(values, quantile));
  }
  // The mean is kept exactly, not from buckets.
  REQUIRE(histogram.mean() == Approx(sum / static_cast<double>(values.size())));
  // And the analytic median of the distribution, as a sanity check of the sample.
  REQUIRE(static_cast<double>(histogram.percentile(0.5)) == Approx(800'000.0).epsilon(0.02));
}

TEST_CASE("a constant latency is every percentile", "[histogram]") {
  Histogram histogram;
  for (int i = 0; i < 1000; ++i) histogram.record(std::chrono::microseconds(1234));
  for (const double quantile : {0.0, 0.5, 0.99, 1.0}) {
    REQUIRE(histogram.percentile(quantile) == 1'234'000);
  }
}

TEST_CASE("values above 60 s count as 60 s", "[histogram]") {
  Histogram histogram;
  histogram.record(std::chrono::hours(2));
  REQUIRE(histogram.max() == Histogram::kHighestNanos);
  REQUIRE(histogram.percentile(1.0) == Histogram::kHighestNanos);
}

TEST_CASE("merging equals recording everything in one", "[histogram]") {
  std::mt19937_64 random(3);
  std::exponential_distribution<double> latency(1.0 / 2e6);
  Histogram left;
  Histogram right;
  Histogram both;
  for (int i = 0; i < 50'000; ++i) {
    const auto value = static_cast<std::uint64_t>(latency(random));
    (i % 3 == 0 ? left : right).record(value);
    both.record(value);
  }
  left.merge(right);
  REQUIRE(left.count() == both.count());
  REQUIRE(left.max() == both.max());
  REQUIRE(left.min() == both.min());
  for (const double quantile : {0.5, 0.9, 0.99, 0.999}) {
    REQUIRE(left.percentile(quantile) == both.percentile(quantile));
  }
  left.reset();
  REQUIRE(left.count() == 0);
  REQUIRE(left.percentile(0.5) == 0);
}

#include "tools/bench/zipf.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using paxoskv::bench::ZipfGenerator;

namespace {

// P(k) = k^-s / sum over j of j^-s.
std::vector<double> zipf_probabilities(std::uint64_t n, double exponent) {
  std::vector<double> probabilities(n + 1, 0.0);
  double total = 0;
  for (std::uint64_t k = 1; k <= n; ++k) {
    probabilities[k] = std::pow(static_cast<double>(k), -exponent);
    total += probabilities[k];
  }
  for (auto& p : probabilities) p /= total;
  return probabilities;
}

// Draws `samples` ranks and checks each rank's count, and the chi-square statistic over
// all ranks, against the exact distribution.
void check_distribution(std::uint64_t n, double exponent, std::uint64_t seed) {
  constexpr int kSamples = 1'000'000;
  ZipfGenerator zipf(n, exponent);
  std::mt19937_64 random(seed);
  std::vector<std::uint64_t> counts(n + 1, 0);
  std::uint64_t out_of_range = 0;
  for (int i = 0; i < kSamples; ++i) {
    const std::uint64_t rank = zipf(random);
    if (rank < 1 || rank > n) {
      ++out_of_range;
    } else {
      ++counts[rank];
    }
  }
  REQUIRE(out_of_range == 0);
  const auto probabilities = zipf_probabilities(n, exponent);

  // The most popular ranks: within 5 standard deviations of the binomial count.
  for (std::uint64_t k = 1; k <= std::min<std::uint64_t>(n, 20); ++k) {
    const double expected = probabilities[k] * kSamples;
    const double sigma = std::sqrt(expected * (1 - probabilities[k]));
    INFO("n " << n << " s " << exponent << " rank " << k << " count " << counts[k] << " expected "
              << expected);
    REQUIRE(std::abs(static_cast<double>(counts[k]) - expected) <= 5 * sigma);
  }

  // Chi-square over all ranks, with ranks pooled until each cell expects >= 20 draws.
  double chi_square = 0;
  int cells = 0;
  double expected_cell = 0;
  double observed_cell = 0;
  for (std::uint64_t k = 1; k <= n; ++k) {
    expected_cell += probabilities[k] * kSamples;
    observed_cell += static_cast<double>(counts[k]);
    if (expected_cell >= 20 || k == n) {
      chi_square +=
          (observed_cell - expected_cell) * (observed_cell - expected_cell) / expected_cell;
      ++cells;
      expected_cell = observed_cell = 0;
    }
  }
  // Mean cells-1, standard deviation sqrt(2(cells-1)): 6 deviations is never by chance.
  const double degrees = cells - 1;
  INFO("chi-square " << chi_square << " with " << degrees << " degrees of freedom");
  REQUIRE(chi_square < degrees + 6 * std::sqrt(2 * degrees));
}

}  // namespace

TEST_CASE("zipf s=0.99 over 1000 keys matches the exact distribution", "[zipf]") {
  check_distribution(1000, 0.99, 1);
}

TEST_CASE("zipf at other exponents and sizes", "[zipf]") {
  check_distribution(10, 0.99, 2);
  check_distribution(100'000, 0.99, 3);
  check_distribution(1000, 1.0, 4);  // the s -> 1 limit of the closed forms
  check_distribution(500, 0.5, 5);
  check_distribution(500, 2.0, 6);
}

TEST_CASE("zipf with one rank always draws it", "[zipf]") {
  ZipfGenerator zipf(1, 0.99);
  std::mt19937_64 random(9);
  for (int i = 0; i < 1000; ++i) REQUIRE(zipf(random) == 1);
}

TEST_CASE("zipf rejects impossible parameters", "[zipf]") {
  REQUIRE_THROWS(ZipfGenerator(0, 0.99));
  REQUIRE_THROWS(ZipfGenerator(10, 0.0));
}

// Zipf-distributed ranks: P(k) proportional to 1 / k^s for k in 1..n.
//
// Rejection-inversion sampling (Hörmann and Derflinger, "Rejection-inversion to generate
// variates from monotone discrete distributions", 1996): exact, O(1) memory and time per
// draw, so a million keys cost no table.
#pragma once

#include <cstdint>
#include <random>

namespace paxoskv::bench {

class ZipfGenerator {
 public:
  // n >= 1 ranks, exponent s > 0 (0.99 is the usual "skewed key access" workload).
  ZipfGenerator(std::uint64_t n, double exponent);

  // A rank in 1..n; rank 1 is the most frequent.
  template <typename Random>
  std::uint64_t operator()(Random& random) {
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    return draw([&] { return uniform(random); });
  }

  std::uint64_t size() const { return n_; }
  double exponent() const { return exponent_; }

 private:
  template <typename Uniform>
  std::uint64_t draw(Uniform&& uniform) const {
    for (;;) {
      const double u = h_integral_n_ + uniform() * (h_integral_x1_ - h_integral_n_);  // in (x1, n]
      const double x = h_integral_inverse(u);
      std::uint64_t k = x < 1.5 ? 1 : static_cast<std::uint64_t>(x + 0.5);
      if (k > n_) k = n_;
      const double kd = static_cast<double>(k);
      if (kd - x <= squeeze_ || u >= h_integral(kd + 0.5) - h(kd)) return k;
    }
  }

  double h(double x) const;
  double h_integral(double x) const;
  double h_integral_inverse(double x) const;

  std::uint64_t n_;
  double exponent_;
  double h_integral_x1_;
  double h_integral_n_;
  double squeeze_;
};

}  // namespace paxoskv::bench

#include "zipf.h"

#include <cmath>
#include <stdexcept>

namespace paxoskv::bench {
namespace {

// log1p(x)/x and expm1(x)/x, with their Taylor series near 0 where the division loses
// every digit.
double log1p_over_x(double x) {
  if (std::abs(x) > 1e-8) return std::log1p(x) / x;
  return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

double expm1_over_x(double x) {
  if (std::abs(x) > 1e-8) return std::expm1(x) / x;
  return 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
}

}  // namespace

ZipfGenerator::ZipfGenerator(std::uint64_t n, double exponent) : n_(n), exponent_(exponent) {
  if (n == 0) throw std::invalid_argument("zipf: need at least one rank");
  if (!(exponent > 0.0)) throw std::invalid_argument("zipf: exponent must be positive");
  h_integral_x1_ = h_integral(1.5) - 1.0;
  h_integral_n_ = h_integral(static_cast<double>(n) + 0.5);
  squeeze_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
}

// h(x) = x^-s, the unnormalised density.
double ZipfGenerator::h(double x) const {
  return std::exp(-exponent_ * std::log(x));
}

// H(x) = integral of h: (x^(1-s) - 1) / (1 - s), written to stay exact as s -> 1.
double ZipfGenerator::h_integral(double x) const {
  const double log_x = std::log(x);
  return expm1_over_x((1.0 - exponent_) * log_x) * log_x;
}

double ZipfGenerator::h_integral_inverse(double x) const {
  double t = x * (1.0 - exponent_);
  if (t < -1.0) t = -1.0;  // rounding can push it past the domain edge
  return std::exp(log1p_over_x(t) * x);
}

}  // namespace paxoskv::bench

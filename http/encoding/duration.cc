#include "http/encoding/duration.h"

#include <array>
#include <cstdint>
#include <limits>
#include <utility>

namespace paxoskv::http {

namespace {

using Nanos = std::chrono::nanoseconds;
constexpr std::uint64_t kMaxNanos =
    static_cast<std::uint64_t>(std::numeric_limits<Nanos::rep>::max());

// Longest units first: "ms" must not be read as "m" followed by garbage.
constexpr std::array<std::pair<std::string_view, std::uint64_t>, 6> kUnits = {{
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// a + b, or kMaxNanos when it would exceed it.
std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > kMaxNanos - b ? kMaxNanos : a + b;
}

// a * b, or kMaxNanos when it would exceed it.
std::uint64_t saturating_multiply(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > kMaxNanos / a) return kMaxNanos;
  return a * b;
}

// A NUMBER: its digits before and after the point.
struct Number {
  std::string_view whole;
  std::string_view fraction;
};

// The NUMBER at the front of `text`, consumed; nullopt when `text` does not start with one.
std::optional<Number> take_number(std::string_view& text) {
  std::size_t at = 0;
  while (at < text.size() && is_digit(text[at])) ++at;
  Number number{text.substr(0, at), {}};
  if (at < text.size() && text[at] == '.') {
    const std::size_t fraction_begin = ++at;
    while (at < text.size() && is_digit(text[at])) ++at;
    number.fraction = text.substr(fraction_begin, at - fraction_begin);
    if (number.fraction.empty()) return std::nullopt;  // "1." is malformed
  }
  if (number.whole.empty() && number.fraction.empty()) return std::nullopt;
  text.remove_prefix(at);
  return number;
}

// `number` units of `nanos_per_unit` nanoseconds, saturated; digits of the fraction finer
// than a nanosecond are dropped.
std::uint64_t nanos_of(const Number& number, std::uint64_t nanos_per_unit) {
  std::uint64_t whole = 0;
  for (const char c : number.whole) {
    whole = saturating_add(saturating_multiply(whole, 10), static_cast<std::uint64_t>(c - '0'));
  }
  std::uint64_t total = saturating_multiply(whole, nanos_per_unit);
  std::uint64_t place = nanos_per_unit;
  for (const char c : number.fraction) {
    place /= 10;
    if (place == 0) break;
    total = saturating_add(total, static_cast<std::uint64_t>(c - '0') * place);
  }
  return total;
}

std::optional<std::uint64_t> take_unit(std::string_view& text) {
  for (const auto& [suffix, nanos] : kUnits) {
    if (text.starts_with(suffix)) {
      text.remove_prefix(suffix.size());
      return nanos;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  std::uint64_t total = 0;
  bool first = true;
  while (first || !text.empty()) {
    const auto number = take_number(text);
    if (!number) return std::nullopt;
    std::optional<std::uint64_t> unit;
    if (first && text.empty()) {
      unit = 1'000'000'000;  // a bare number: seconds
    } else {
      unit = take_unit(text);
      if (!unit) return std::nullopt;
    }
    total = saturating_add(total, nanos_of(*number, *unit));
    first = false;
  }
  return Nanos(static_cast<Nanos::rep>(total));
}

std::optional<std::chrono::milliseconds> parse_duration_millis(std::string_view text) {
  const auto nanos = parse_duration(text);
  if (!nanos) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(*nanos);
}

}  // namespace paxoskv::http

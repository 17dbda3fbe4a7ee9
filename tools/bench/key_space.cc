#include "key_space.h"

#include <charconv>

namespace paxoskv::bench {

KeySpace::KeySpace(const Options& options, std::atomic<std::uint64_t>& sequence)
    : count_(options.keys),
      distribution_(options.key_distribution),
      prefix_(options.key_prefix),
      width_(static_cast<int>(std::to_string(options.keys - 1).size())),
      sequence_(sequence) {
  if (distribution_ == KeyDistribution::zipf) zipf_.emplace(count_, options.zipf_exponent);
}

void KeySpace::name(std::uint64_t index, std::string& out) const {
  char digits[24];
  const auto [end, error] = std::to_chars(digits, digits + sizeof digits, index);
  const auto length = static_cast<int>(end - digits);
  out.assign(prefix_);
  // Same-width names keep keys the same size and sort in numeric order.
  out.append(static_cast<std::size_t>(width_ > length ? width_ - length : 0), '0');
  out.append(digits, end);
}

}  // namespace paxoskv::bench

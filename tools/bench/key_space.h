// The benchmark's keys: `prefix` followed by a zero-padded number below `count`, picked
// uniformly, zipf-skewed (rank 1 is key 0), or in order.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "options.h"
#include "zipf.h"

namespace paxoskv::bench {

class KeySpace {
 public:
  // `sequence` numbers the keys of a sequential walk; it is shared by every client thread
  // so that together they visit each key once per round.
  KeySpace(const Options& options, std::atomic<std::uint64_t>& sequence);

  template <typename Random>
  std::uint64_t pick(Random& random) {
    switch (distribution_) {
      case KeyDistribution::uniform:
        return std::uniform_int_distribution<std::uint64_t>(0, count_ - 1)(random);
      case KeyDistribution::zipf:
        return (*zipf_)(random)-1;
      case KeyDistribution::sequential:
        return sequence_.fetch_add(1, std::memory_order_relaxed) % count_;
    }
    return 0;
  }

  // Writes key `index`'s name into `out`, replacing what it held.
  void name(std::uint64_t index, std::string& out) const;

  std::uint64_t count() const { return count_; }

 private:
  std::uint64_t count_;
  KeyDistribution distribution_;
  std::string prefix_;
  int width_;
  std::optional<ZipfGenerator> zipf_;
  std::atomic<std::uint64_t>& sequence_;
};

}  // namespace paxoskv::bench

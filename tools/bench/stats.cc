#include "stats.h"

namespace paxoskv::bench {

void Stats::add_error(std::string_view kind) {
  // Errors are rare: only a new kind allocates.
  if (const auto found = errors.find(kind); found != errors.end()) {
    ++found->second;
  } else {
    errors.emplace(std::string(kind), 1);
  }
}

std::uint64_t Stats::error_count() const {
  std::uint64_t total = 0;
  for (const auto& [kind, count] : errors) total += count;
  return total;
}

void Stats::merge(const Stats& other) {
  latency.merge(other.latency);
  timeline.merge(other.timeline);
  ops += other.ops;
  reads += other.reads;
  not_found += other.not_found;
  conflicts += other.conflicts;
  for (const auto& [kind, count] : other.errors) {
    if (const auto found = errors.find(kind); found != errors.end()) {
      found->second += count;
    } else {
      errors.emplace(kind, count);
    }
  }
}

}  // namespace paxoskv::bench

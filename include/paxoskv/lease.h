// Leases of the embedded API (see README, "Leases"): what Node's lease calls return.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "paxoskv/result.h"

namespace paxoskv {

// The shortest and longest time to live a lease may be granted with.
inline constexpr std::chrono::milliseconds kMinLeaseTtl{1000};
inline constexpr std::chrono::milliseconds kMaxLeaseTtl{3600 * 1000};

struct LeaseInfo {
  std::string id;  // 16 hex digits
  std::chrono::milliseconds ttl{0};
  // The time to live left as this replica sees it (its last keepalive of the lease, on
  // its own clock); the TTL right after a keepalive.
  std::chrono::milliseconds remaining{0};
  // The keys attached to the lease, as this replica applied them (lease info only).
  std::vector<std::string> keys;
};

struct LeaseResult {
  Result result;
  LeaseInfo lease;  // when result.ok()
};

}  // namespace paxoskv

// The operator's limit on the size of a replica's store (--quota-bytes): once the data
// dir is larger, client writes that add data are refused with no_space, while deletes
// and revokes, which free space, still go through.
//
// The quota is per replica and looks at this replica's own data dir: every replica holds
// the same keys, so their sizes are close, and a replica over its quota refuses what it
// is asked to add. Writes chosen through another replica are still accepted and applied
// here: an acceptor that refused them would stop the cluster, not the growth.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>

namespace paxoskv {

class StoreQuota {
 public:
  // Measures the store with `measure`; a quota of 0 disables it.
  StoreQuota(std::filesystem::path data_dir, std::uint64_t quota_bytes,
             std::chrono::milliseconds interval = std::chrono::milliseconds{500});
  StoreQuota(std::function<std::uint64_t()> measure, std::uint64_t quota_bytes,
             std::chrono::milliseconds interval);

  // Whether the store is larger than the quota, as of a look at most `interval` ago.
  // Logs once when the store goes over and once when it is back under. Not thread-safe.
  bool exceeded();

  std::uint64_t quota_bytes() const { return quota_bytes_; }

 private:
  std::function<std::uint64_t()> measure_;
  std::uint64_t quota_bytes_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point next_look_{};
  bool exceeded_ = false;
};

}  // namespace paxoskv

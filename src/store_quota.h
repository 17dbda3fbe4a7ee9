// The operator's limit on the size of a replica's store (--quota-bytes): once the data
// dir is larger, client writes that add data are refused with no_space, while deletes
// and revokes, which free space, still go through.
//
// The quota is per replica and looks at this replica's own data dir: every replica holds
// the same keys, so their sizes are close, and a replica over its quota refuses what it
// is asked to add. Writes chosen through another replica are still accepted and applied
// here: an acceptor that refused them would stop the cluster, not the growth.
//
// The data dir is measured on a thread of its own: a walk of a large store's files (tens
// of thousands of tables) takes tens of milliseconds, which the replica's thread must not
// wait for.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

namespace paxoskv {

class StoreQuota {
 public:
  // Measures the data dir once now, then every `interval` on a thread of its own. A quota
  // of 0 disables it (no thread).
  StoreQuota(std::filesystem::path data_dir, std::uint64_t quota_bytes,
             std::chrono::milliseconds interval = std::chrono::milliseconds{500});
  // The same with `measure` for the size; an interval of 0 starts no thread: look() then
  // measures.
  StoreQuota(std::function<std::uint64_t()> measure, std::uint64_t quota_bytes,
             std::chrono::milliseconds interval);
  StoreQuota(const StoreQuota&) = delete;
  StoreQuota& operator=(const StoreQuota&) = delete;
  ~StoreQuota();

  // Whether the store was larger than the quota at the last measurement. Any thread.
  bool exceeded() const { return exceeded_.load(std::memory_order_relaxed); }
  // Measures now. Logs once when the store goes over and once when it is back under.
  void look();

  std::uint64_t quota_bytes() const { return quota_bytes_; }

 private:
  std::function<std::uint64_t()> measure_;
  std::uint64_t quota_bytes_;
  std::atomic<bool> exceeded_{false};
  std::mutex look_mutex_;  // a look by the thread and one by a caller, one at a time
  std::jthread measurer_;  // last: it stops before the rest goes
};

}  // namespace paxoskv

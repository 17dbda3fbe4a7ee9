#include "src/store_quota.h"

#include <spdlog/spdlog.h>

#include <stop_token>
#include <utility>

#include "src/process_stats.h"

namespace paxoskv {

StoreQuota::StoreQuota(std::filesystem::path data_dir, std::uint64_t quota_bytes,
                       std::chrono::milliseconds interval)
    : StoreQuota([dir = std::move(data_dir)] { return directory_bytes(dir); }, quota_bytes,
                 interval) {}

StoreQuota::StoreQuota(std::function<std::uint64_t()> measure, std::uint64_t quota_bytes,
                       std::chrono::milliseconds interval)
    : measure_(std::move(measure)), quota_bytes_(quota_bytes) {
  if (quota_bytes_ == 0) return;
  look();
  if (interval.count() == 0) return;
  measurer_ = std::jthread([this, interval](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    while (!wake.wait_for(lock, stop, interval, [] { return false; }) && !stop.stop_requested()) {
      look();
    }
  });
}

StoreQuota::~StoreQuota() = default;

void StoreQuota::look() {
  if (quota_bytes_ == 0) return;
  std::lock_guard lock(look_mutex_);
  const std::uint64_t size = measure_();
  const bool exceeded = size > quota_bytes_;
  const bool was = exceeded_.load(std::memory_order_relaxed);
  if (exceeded && !was) {
    spdlog::error(
        "store over its quota: {} bytes on disk, more than --quota-bytes {}: refusing client "
        "writes that add data (deletes still work) until it is back under",
        size, quota_bytes_);
  } else if (!exceeded && was) {
    spdlog::info("store back under its quota: {} bytes on disk, --quota-bytes {}; writes resume",
                 size, quota_bytes_);
  }
  exceeded_.store(exceeded, std::memory_order_relaxed);
}

}  // namespace paxoskv

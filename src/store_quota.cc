#include "src/store_quota.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "src/process_stats.h"

namespace paxoskv {

StoreQuota::StoreQuota(std::filesystem::path data_dir, std::uint64_t quota_bytes,
                       std::chrono::milliseconds interval)
    : StoreQuota([dir = std::move(data_dir)] { return directory_bytes(dir); }, quota_bytes,
                 interval) {}

StoreQuota::StoreQuota(std::function<std::uint64_t()> measure, std::uint64_t quota_bytes,
                       std::chrono::milliseconds interval)
    : measure_(std::move(measure)), quota_bytes_(quota_bytes), interval_(interval) {}

bool StoreQuota::exceeded() {
  if (quota_bytes_ == 0) return false;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_look_) return exceeded_;
  next_look_ = now + interval_;

  const std::uint64_t size = measure_();
  const bool exceeded = size > quota_bytes_;
  if (exceeded && !exceeded_) {
    spdlog::error(
        "store over its quota: {} bytes on disk, more than --quota-bytes {}: refusing client "
        "writes that add data (deletes still work) until it is back under",
        size, quota_bytes_);
  } else if (!exceeded && exceeded_) {
    spdlog::info("store back under its quota: {} bytes on disk, --quota-bytes {}; writes resume",
                 size, quota_bytes_);
  }
  exceeded_ = exceeded;
  return exceeded_;
}

}  // namespace paxoskv

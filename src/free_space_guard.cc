#include "src/free_space_guard.h"

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace paxoskv {

FreeSpaceGuard::FreeSpaceGuard(std::string data_dir, std::uint64_t reserve_bytes,
                               std::chrono::milliseconds interval)
    : data_dir_(std::move(data_dir)), reserve_bytes_(reserve_bytes), interval_(interval) {}

bool FreeSpaceGuard::low() {
  if (reserve_bytes_ == 0) return false;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_look_) return low_;
  next_look_ = now + interval_;

  struct statvfs stats {};
  if (::statvfs(data_dir_.c_str(), &stats) != 0) {
    // Keep the last answer: a failed look says nothing about the space.
    spdlog::warn("cannot read the free space of {}: {}", data_dir_, std::strerror(errno));
    return low_;
  }
  // What an unprivileged writer may use: root's reserved blocks are not for the store.
  const std::uint64_t free_bytes = static_cast<std::uint64_t>(stats.f_bavail) * stats.f_frsize;
  const bool low = free_bytes < reserve_bytes_;
  if (low && !low_) {
    spdlog::error(
        "disk almost full: {} bytes free on the file system of {}, below the reserve of {} "
        "(--disk-reserve-bytes): refusing client writes until space is freed",
        free_bytes, data_dir_, reserve_bytes_);
  } else if (!low && low_) {
    spdlog::info("disk space is back: {} bytes free on the file system of {}; writes resume",
                 free_bytes, data_dir_);
  }
  low_ = low;
  return low_;
}

}  // namespace paxoskv

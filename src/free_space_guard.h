// Watches the free space of the file system that holds the data dir, so that a replica
// refuses client writes before its disk is full rather than when LevelDB hits ENOSPC.
//
// Why before: LevelDB keeps a failed write's error until the DB is reopened, and a failed
// write stops the replica for good (see disk_failure_marker.h). Refusing client writes
// while less than a reserve is free keeps the replica serving reads, leaves the reserve to
// what it must still write for its peers (acceptances, chosen states, compactions), and
// lets writes resume by themselves once space is freed.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace paxoskv {

class FreeSpaceGuard {
 public:
  // Looks at the file system at most once per `interval`. A reserve of 0 disables it.
  FreeSpaceGuard(std::string data_dir, std::uint64_t reserve_bytes,
                 std::chrono::milliseconds interval = std::chrono::milliseconds{100});

  // Whether less than the reserve is free (as of the last look, at most `interval` ago).
  // Logs once when space runs low and once when it is back. Not thread-safe.
  bool low();

 private:
  std::string data_dir_;
  std::uint64_t reserve_bytes_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point next_look_{};
  bool low_ = false;
};

}  // namespace paxoskv

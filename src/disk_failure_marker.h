// The mark a replica leaves in its data dir when a write to it failed, and the check that
// keeps a replica from starting on such a dir until an operator says so.
//
// Why: after a failed write or fsync, what the store holds on disk is unknown. The kernel
// may have dropped the pages it could not write back and reports the error only once, so
// a restart could read back a log tail that was never durable and vote with it. The
// replica stops instead, and stays stopped: a failed write is final.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "paxoskv/options.h"
#include "paxoskv/start_refused.h"

namespace paxoskv {

// The marker's name in the data dir.
inline constexpr std::string_view kDiskFailureMarker = "DISK_WRITE_FAILED";

// Writes (and syncs) the marker into `data_dir`: which replica, when, and the error.
// Returns false, after logging why, if even that write failed.
bool write_disk_failure_marker(const std::filesystem::path& data_dir, std::uint32_t replica_id,
                               std::string_view error);

// Before the store is opened: throws StartRefused if the data dir holds the marker, unless
// options.allow_after_disk_failure, which logs the marker's content and removes it.
void check_disk_failure_marker(const Options& options);

}  // namespace paxoskv

// What the operating system says of this process, for the standard process_* metrics
// (as Prometheus' client libraries export them). Read from /proc on Linux; elsewhere
// every field stays empty and the metrics are left out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace paxoskv {

struct ProcessStats {
  std::optional<double> cpu_seconds;         // user + system
  std::optional<double> start_time_seconds;  // since the Unix epoch
  std::optional<std::uint64_t> resident_bytes;
  std::optional<std::uint64_t> virtual_bytes;
  std::optional<std::uint64_t> open_fds;
  std::optional<std::uint64_t> max_fds;
};

ProcessStats read_process_stats();

// The bytes of the regular files under `dir` (the store's size on disk); 0 if unreadable.
std::uint64_t directory_bytes(const std::filesystem::path& dir);

}  // namespace paxoskv

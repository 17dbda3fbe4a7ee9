#include "src/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace paxoskv {

namespace {

// The fields of /proc/self/stat after the command name (which may hold spaces), so that
// fields[0] is field 3 of proc(5), the state.
std::vector<std::string> stat_fields() {
  std::ifstream in("/proc/self/stat");
  const std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto name_end = line.rfind(')');
  if (name_end == std::string::npos) return {};
  std::istringstream rest(line.substr(name_end + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

std::optional<double> boot_time_seconds() {
  std::ifstream in("/proc/stat");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("btime ")) return std::stod(line.substr(6));
  }
  return std::nullopt;
}

}  // namespace

ProcessStats read_process_stats() {
  ProcessStats stats;
  const std::vector<std::string> fields = stat_fields();
  const long ticks = sysconf(_SC_CLK_TCK);
  const long page = sysconf(_SC_PAGESIZE);
  // proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24 (fields[n - 3]).
  if (fields.size() > 21 && ticks > 0 && page > 0) {
    try {
      stats.cpu_seconds =
          static_cast<double>(std::stoull(fields[11]) + std::stoull(fields[12])) / ticks;
      if (const auto boot = boot_time_seconds()) {
        stats.start_time_seconds = *boot + static_cast<double>(std::stoull(fields[19])) / ticks;
      }
      stats.virtual_bytes = std::stoull(fields[20]);
      stats.resident_bytes = std::stoull(fields[21]) * static_cast<std::uint64_t>(page);
    } catch (const std::exception&) {
      stats = ProcessStats{};  // an unexpected format: no figures rather than wrong ones
    }
  }
  std::error_code error;
  std::uint64_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end;
       it.increment(error)) {
    ++fds;
  }
  if (!error) stats.open_fds = fds;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) stats.max_fds = limit.rlim_cur;
  return stats;
}

std::uint64_t directory_bytes(const std::filesystem::path& dir) {
  std::error_code error;
  std::uint64_t bytes = 0;
  for (std::filesystem::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    std::error_code size_error;
    if (it->is_regular_file(size_error)) {
      const auto size = it->file_size(size_error);
      if (!size_error) bytes += size;
    }
  }
  return bytes;
}

}  // namespace paxoskv

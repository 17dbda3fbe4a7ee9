#include "src/disk_failure_marker.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <system_error>

namespace paxoskv {

namespace {

std::filesystem::path marker_path(const std::filesystem::path& data_dir) {
  return data_dir / kDiskFailureMarker;
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// fsync of a file or directory; an error message, empty on success.
std::string sync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return path.string() + ": " + std::strerror(errno);
  std::string error;
  if (::fsync(fd) != 0) error = path.string() + ": " + std::strerror(errno);
  ::close(fd);
  return error;
}

std::string first_line_of(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);
  return line;
}

}  // namespace

bool write_disk_failure_marker(const std::filesystem::path& data_dir, std::uint32_t replica_id,
                               std::string_view error) {
  const std::filesystem::path path = marker_path(data_dir);
  // The file's existence is the mark; its text is for the operator. On a full disk the
  // text may not fit, but the (empty) file still does.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    spdlog::error("replica {}: cannot create the disk failure marker {}: {}", replica_id,
                  path.string(), std::strerror(errno));
    return false;
  }
  const std::string text = "paxoskv replica " + std::to_string(replica_id) + " stopped at " +
                           utc_now() + ": a write to its data dir failed: " + std::string(error) +
                           "\nWhat the data dir holds may not be what the replica acknowledged. "
                           "Check the disk;\nthen start with --allow-after-disk-failure (which "
                           "removes this file), or replace\nthe replica.\n";
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    spdlog::warn("replica {}: the disk failure marker {} holds no explanation: {}", replica_id,
                 path.string(), std::strerror(errno));
  }
  std::string sync_error;
  if (::fsync(fd) != 0) sync_error = path.string() + ": " + std::strerror(errno);
  ::close(fd);
  if (sync_error.empty()) sync_error = sync_path(data_dir, O_RDONLY | O_DIRECTORY);
  if (!sync_error.empty()) {
    spdlog::error("replica {}: cannot sync the disk failure marker: {}", replica_id, sync_error);
    return false;
  }
  return true;
}

void check_disk_failure_marker(const Options& options) {
  const std::filesystem::path path = marker_path(options.data_dir);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return;
  std::string what = first_line_of(path);
  if (what.empty()) what = "a write to it failed";
  if (!options.allow_after_disk_failure) {
    throw StartRefused("data dir " + options.data_dir + " holds " + path.string() + " (" + what +
                       "); check the disk, then start with "
                       "--allow-after-disk-failure");
  }
  spdlog::warn(
      "replica {}: starting on data dir {} despite its disk failure marker "
      "(--allow-after-disk-failure), which is removed: {}",
      options.id, options.data_dir, what);
  std::filesystem::remove(path);
  if (const std::string sync_error = sync_path(options.data_dir, O_RDONLY | O_DIRECTORY);
      !sync_error.empty()) {
    throw std::runtime_error("cannot sync data dir after removing " + path.string() + ": " +
                             sync_error);
  }
}

}  // namespace paxoskv

#include "tests/nemesis/tmpfs_mount.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace paxoskv::nemesis {

namespace {

// Closes a file descriptor on every path.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Appends `chunk` until a write fails with ENOSPC (or, on a full last page, writes 0).
void append_until_full(int fd, const std::vector<char>& chunk) {
  while (true) {
    const ssize_t written = ::write(fd, chunk.data(), chunk.size());
    if (written > 0) continue;
    if (written < 0 && errno == EINTR) continue;
    if (written == 0 || errno == ENOSPC) return;
    throw std::system_error(errno, std::generic_category(), "write filler");
  }
}

}  // namespace

TmpfsMount::TmpfsMount(std::filesystem::path dir, std::uint64_t bytes) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  const std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
  if (::mount("paxoskv-nemesis", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) !=
      0) {
    throw std::system_error(errno, std::generic_category(), "mount tmpfs on " + dir_.string());
  }
  std::filesystem::create_directories(data_dir());
}

TmpfsMount::~TmpfsMount() {
  ::umount2(dir_.c_str(), MNT_DETACH);
  std::error_code ignored;
  std::filesystem::remove(dir_, ignored);
}

void TmpfsMount::fill() {
  const FileDescriptor fd(
      ::open(filler_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno == ENOSPC) {
      filled_ = true;
      return;
    }
    throw std::system_error(errno, std::generic_category(), "open " + filler_path().string());
  }
  filled_ = true;
  append_until_full(fd.get(), std::vector<char>(1 << 20, 'f'));
  append_until_full(fd.get(), std::vector<char>(4096, 'f'));
  append_until_full(fd.get(), std::vector<char>(1, 'f'));
}

void TmpfsMount::release() {
  std::error_code ignored;
  std::filesystem::remove(filler_path(), ignored);
  filled_ = false;
}

std::uint64_t TmpfsMount::free_bytes() const {
  struct statvfs stats {};
  if (::statvfs(dir_.c_str(), &stats) != 0) return 0;
  return static_cast<std::uint64_t>(stats.f_bavail) * stats.f_frsize;
}

void TmpfsMount::wipe() {
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    std::filesystem::remove_all(entry.path());
  }
  std::filesystem::create_directories(data_dir());
  filled_ = false;
}

void TmpfsMount::remove_leftovers(const std::filesystem::path& parent) {
  // Our mounts live under "<parent>/paxoskv-nemesis-<pid>-<n>/"; /proc/self/mounts gives
  // "device mount-point type options ...".
  const std::string ours = (parent / "paxoskv-nemesis-").string();
  std::ifstream mounts("/proc/self/mounts");
  std::vector<std::string> stale;
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream fields(line);
    std::string device, mount_point;
    fields >> device >> mount_point;
    if (mount_point.rfind(ours, 0) != 0) continue;
    const std::string rest = mount_point.substr(ours.size());
    const auto digits = rest.find_first_not_of("0123456789");
    if (digits == 0 || digits == std::string::npos) continue;
    const auto owner = static_cast<pid_t>(std::stol(rest.substr(0, digits)));
    if (::kill(owner, 0) == 0 || errno != ESRCH) continue;
    stale.push_back(mount_point);
  }
  for (const std::string& dir : stale) ::umount2(dir.c_str(), MNT_DETACH);
}

}  // namespace paxoskv::nemesis

// snapshot save FILE: streams GET /v1/snapshot into FILE, verifying it on the way, and
// puts FILE in place only once the whole snapshot arrived intact.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>

#include "http/api_names.h"
#include "paxoskv/snapshot_format.h"
#include "tools/ctl/answer_check.h"
#include "tools/ctl/commands.h"

namespace paxoskv::ctl {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail_io(const std::string& what) {
  throw CtlError(ExitCode::other, what + ": " + std::strerror(errno));
}

// A file written under a temporary name beside its final one, removed unless kept.
class TemporaryFile {
 public:
  explicit TemporaryFile(const fs::path& final_path)
      : path_(final_path.string() + ".partial-" + std::to_string(::getpid())) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) fail_io("cannot create " + path_.string());
  }
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!kept_) {
      std::error_code ignored;
      fs::remove(path_, ignored);
    }
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  void write(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
      if (written < 0) {
        if (errno == EINTR) continue;
        fail_io("cannot write " + path_.string());
      }
      bytes.remove_prefix(static_cast<std::size_t>(written));
    }
  }

  // Syncs the file, renames it to `final_path` and syncs the directory.
  void keep_as(const fs::path& final_path) {
    if (::fsync(fd_) != 0) fail_io("cannot sync " + path_.string());
    if (::close(fd_) != 0) fail_io("cannot close " + path_.string());
    fd_ = -1;
    std::error_code error;
    fs::rename(path_, final_path, error);
    if (error) {
      throw CtlError(ExitCode::other, "cannot rename " + path_.string() + " to " +
                                          final_path.string() + ": " + error.message());
    }
    kept_ = true;
    const fs::path dir = final_path.parent_path().empty() ? "." : final_path.parent_path();
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0 || ::fsync(dir_fd) != 0) fail_io("cannot sync directory " + dir.string());
    ::close(dir_fd);
  }

 private:
  fs::path path_;
  int fd_ = -1;
  bool kept_ = false;
};

}  // namespace

ExitCode run_snapshot_save(const Invocation& invocation, Client& client, Console& console) {
  const fs::path file = invocation.snapshot_file;
  TemporaryFile partial(file);
  snapshot::Parser verifier([](const snapshot::Record&) {});
  std::uint64_t bytes = 0;
  Request request;
  request.target = http::snapshot_path;
  // The replica answers once it has pulled its peers' changes: after a restore (or with a
  // new member) that is every key once.
  request.extra_time = std::chrono::minutes(10);
  const Answer answer = client.send_streamed(request, [&](std::string_view piece) {
    try {
      verifier.feed(piece);
    } catch (const snapshot::FormatError& error) {
      throw CtlError(ExitCode::other, std::string("bad snapshot from the server: ") + error.what());
    }
    partial.write(piece);
    bytes += piece.size();
  });
  const std::string endpoint = client.endpoint(answer.endpoint).text();
  if (answer.status != 200) check_answer(answer, "", false, endpoint);
  std::uint64_t records = 0;
  try {
    records = verifier.finish();
  } catch (const snapshot::FormatError& error) {
    throw CtlError(ExitCode::other, endpoint + ": bad snapshot: " + error.what());
  }
  partial.keep_as(file);
  if (invocation.output == OutputFormat::json) {
    console.out << dump(Json{{"file", file.string()}, {"records", records}, {"bytes", bytes}})
                << '\n';
  } else {
    console.out << "snapshot saved to " << file.string() << ": " << records << " records, " << bytes
                << " bytes\n";
  }
  return ExitCode::ok;
}

}  // namespace paxoskv::ctl

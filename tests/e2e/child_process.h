// A child process owned by the test: killed (SIGKILL) and reaped when the handle goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace paxoskv::e2e {

// "exited with status 0", "killed by signal 9".
std::string describe_wait_status(int wait_status);

class ChildProcess {
 public:
  // Starts argv[0] (a path) with `argv`; its stdout and stderr are appended to `log_file`.
  // It inherits the test's environment, with `environment` ("NAME=VALUE" entries) added
  // or replacing a variable of the same name. Throws std::system_error if it cannot be
  // started.
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log_file,
               const std::vector<std::string>& environment = {});
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Whether it still runs; reaps it if it has exited.
  bool running();
  // The wait status once it has exited (and been reaped), else nullopt.
  std::optional<int> wait_status() const { return wait_status_; }

  void send_signal(int signal) const;
  // Waits up to `limit` for it to exit; its wait status, or nullopt if it still runs.
  std::optional<int> wait_for_exit(std::chrono::milliseconds limit);
  // SIGKILL, then reap. Its wait status.
  int kill_and_reap();

 private:
  void release() noexcept;

  pid_t pid_ = -1;
  std::optional<int> wait_status_;
};

}  // namespace paxoskv::e2e

#include "tools/ctl/held_command.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>

namespace paxoskv::ctl {

namespace {

// Blocks the signals the hold waits for (they are taken with sigtimedwait, so no handler
// and no global flag is needed); restores the old mask when done.
class BlockedSignals {
 public:
  BlockedSignals() {
    sigemptyset(&set_);
    for (const int signal : {SIGINT, SIGTERM, SIGCHLD}) sigaddset(&set_, signal);
    sigprocmask(SIG_BLOCK, &set_, &old_);
  }
  ~BlockedSignals() { sigprocmask(SIG_SETMASK, &old_, nullptr); }
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;

  const sigset_t& set() const { return set_; }
  const sigset_t& old() const { return old_; }

 private:
  sigset_t set_{};
  sigset_t old_{};
};

// Starts `command` with `environment` added; the child gets the old signal mask back.
pid_t start(const std::vector<std::string>& command, const Environment& environment,
            const BlockedSignals& signals) {
  const pid_t child = fork();
  if (child < 0) throw CtlError(ExitCode::other, "cannot start the command: fork failed");
  if (child > 0) return child;
  sigprocmask(SIG_SETMASK, &signals.old(), nullptr);
  for (const std::string& variable : environment) {
    const auto equals = variable.find('=');
    setenv(variable.substr(0, equals).c_str(), variable.substr(equals + 1).c_str(), 1);
  }
  std::vector<char*> argv;
  for (const std::string& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  _exit(127);  // as a shell does for a command it cannot run
}

// The command's exit as a shell reports it, once it has ended.
std::optional<int> ended(pid_t child) {
  int status = 0;
  if (waitpid(child, &status, WNOHANG) != child) return std::nullopt;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return std::nullopt;
}

}  // namespace

ExitCode hold_while(LeaseHolder& lease, const std::vector<std::string>& command,
                    const Environment& environment) {
  const BlockedSignals signals;
  const pid_t child = command.empty() ? 0 : start(command, environment, signals);  // 0: none
  while (true) {
    const auto wait = std::max(LeaseHolder::Clock::duration::zero(),
                               lease.keepalive_due() - LeaseHolder::Clock::now());
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait);
    const timespec timeout{static_cast<time_t>(seconds.count()),
                           static_cast<long>(std::chrono::nanoseconds(wait - seconds).count())};
    siginfo_t info{};
    const int signal = sigtimedwait(&signals.set(), &info, &timeout);
    if (signal == SIGCHLD && child != 0) {
      if (const std::optional<int> status = ended(child)) return static_cast<ExitCode>(*status);
    } else if (signal == SIGINT || signal == SIGTERM) {
      if (child == 0) return ExitCode::ok;
      kill(child, signal);  // it decides; its end ends the hold
    } else if (signal < 0 && errno == EAGAIN) {
      try {
        lease.keep_alive();
      } catch (const CtlError& error) {
        if (child != 0 && error.code() == ExitCode::lost) {
          kill(child, SIGTERM);
          waitpid(child, nullptr, 0);
        }
        throw;
      }
    }
  }
}

}  // namespace paxoskv::ctl

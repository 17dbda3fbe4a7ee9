#include "tests/nemesis/system_command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/e2e/child_process.h"

namespace paxoskv::nemesis {

std::filesystem::path find_program(std::string_view name) {
  std::vector<std::filesystem::path> dirs;
  if (const char* path = std::getenv("PATH"); path && *path) {
    std::stringstream list(path);
    for (std::string dir; std::getline(list, dir, ':');) {
      if (!dir.empty()) dirs.emplace_back(dir);
    }
  }
  for (const char* dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) dirs.emplace_back(dir);
  for (const auto& dir : dirs) {
    const auto candidate = dir / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  throw std::runtime_error("the program " + std::string(name) +
                           " is missing (tools/install-deps --nemesis installs it)");
}

CommandOutcome run_command(const std::vector<std::string>& argv,
                           const std::filesystem::path& log_file) {
  std::vector<std::string> resolved = argv;
  if (resolved.at(0).find('/') == std::string::npos) resolved[0] = find_program(resolved[0]);
  std::uintmax_t offset = 0;
  {
    std::ofstream log(log_file, std::ios::app);
    std::string line = "$";
    for (const std::string& arg : argv) line += " " + arg;
    log << line << std::endl;
    offset = static_cast<std::uintmax_t>(log.tellp());
  }
  e2e::ChildProcess child(resolved, log_file);
  const auto exited = child.wait_for_exit(std::chrono::minutes(1));
  const int status = exited ? *exited : child.kill_and_reap();
  CommandOutcome outcome;
  outcome.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream log(log_file);
  log.seekg(static_cast<std::streamoff>(offset));
  std::stringstream output;
  output << log.rdbuf();
  outcome.output = output.str();
  return outcome;
}

void run_checked(const std::vector<std::string>& argv, const std::filesystem::path& log_file) {
  const CommandOutcome outcome = run_command(argv, log_file);
  if (outcome.exit_status == 0) return;
  std::string line;
  for (const std::string& arg : argv) line += (line.empty() ? "" : " ") + arg;
  throw std::runtime_error("`" + line + "` failed (exit " + std::to_string(outcome.exit_status) +
                           "): " + outcome.output);
}

}  // namespace paxoskv::nemesis

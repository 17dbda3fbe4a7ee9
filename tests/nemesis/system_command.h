// Runs a system program (ip, nft) to completion, for setting up and breaking the network.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace paxoskv::nemesis {

// The path of `name` in $PATH or the system binary dirs; throws std::runtime_error (saying
// which package to install) if it is in none.
std::filesystem::path find_program(std::string_view name);

struct CommandOutcome {
  int exit_status = -1;  // -1: killed by a signal
  std::string output;    // stdout and stderr
};

// Runs `argv` (argv[0] a program name or path) and waits for it; its output is also
// appended to `log_file`.
CommandOutcome run_command(const std::vector<std::string>& argv,
                           const std::filesystem::path& log_file);
// The same; throws std::runtime_error with the command and its output unless it exits 0.
void run_checked(const std::vector<std::string>& argv, const std::filesystem::path& log_file);

}  // namespace paxoskv::nemesis

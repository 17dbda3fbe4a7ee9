// paxoskvctl: the command-line client of a paxoskv cluster.
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include "tools/ctl/arguments.h"
#include "tools/ctl/client.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/exit_code.h"
#include "tools/ctl/usage.h"

#ifndef PAXOSKV_VERSION
#define PAXOSKV_VERSION "unknown"
#endif

namespace {

using namespace paxoskv::ctl;

int exit_with(ExitCode code) {
  return static_cast<int>(code);
}

// Where a usage error sends the user: the command's help if the line names one.
std::string help_hint(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (command_named(arg)) return "paxoskvctl " + arg + " --help";
  }
  return "paxoskvctl --help";
}

int run(const std::vector<std::string>& args) {
  const char* env_endpoints = std::getenv("PAXOSKV_ENDPOINTS");
  const char* env_token = std::getenv("PAXOSKV_TOKEN");
  const ParsedCommandLine parsed = parse_arguments(
      args, env_endpoints ? std::optional<std::string_view>(env_endpoints) : std::nullopt,
      env_token ? std::optional<std::string_view>(env_token) : std::nullopt);
  if (const auto* help = std::get_if<HelpRequest>(&parsed)) {
    std::cout << (help->command ? command_help(*help->command) : general_help());
    return exit_with(ExitCode::ok);
  }
  if (std::holds_alternative<VersionRequest>(parsed)) {
    std::cout << "paxoskvctl " PAXOSKV_VERSION "\n";
    return exit_with(ExitCode::ok);
  }
  const Invocation& invocation = std::get<Invocation>(parsed);
  Client client(invocation.endpoints, invocation.timeout, invocation.tls, invocation.token);
  Console console{std::cout, std::cerr, std::cin, ::isatty(STDOUT_FILENO) == 1};
  return exit_with(run_command(invocation, client, console));
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    const int code = run(args);
    std::cout.flush();
    return code;
  } catch (const UsageError& error) {
    std::cerr << "paxoskvctl: " << error.what() << "\n"
              << "Run '" << help_hint(args) << "' for usage.\n";
    return exit_with(ExitCode::usage);
  } catch (const CtlError& error) {
    std::cout.flush();
    std::cerr << "paxoskvctl: " << error.what() << "\n";
    return exit_with(error.code());
  } catch (const std::exception& error) {
    std::cout.flush();
    std::cerr << "paxoskvctl: " << error.what() << "\n";
    return exit_with(ExitCode::other);
  }
}

// The paxoskv command line: flags to Options.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "paxoskv/options.h"
#include "paxoskv/tls.h"

namespace paxoskv {

struct CommandLine {
  Options options;
  std::string listen = "127.0.0.1:8001";  // the client HTTP endpoint
  TlsFiles client_tls;                    // HTTPS only when enabled
  std::string log_level = "info";
  // Non-empty: authentication is on, with this root token (from --auth-root-token-file).
  std::string auth_root_token;
  bool help = false;
  bool version = false;
};

// Parses argv (without the program name). Throws std::invalid_argument with a message
// fit for the user on a bad or missing flag.
CommandLine parse_command_line(const std::vector<std::string>& args);

std::string usage();

}  // namespace paxoskv

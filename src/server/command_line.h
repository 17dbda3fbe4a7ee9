// The paxoskv command line: flags to Options. Every flag can also come from the
// environment or a TOML --config-file (src/server/config_sources.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "paxoskv/options.h"
#include "paxoskv/tls.h"
#include "src/server/config_sources.h"
#include "src/server/log_format.h"

namespace paxoskv {

// Options as the paxoskv program defaults them: Options' own, with a client thread per
// core.
Options program_options();

struct CommandLine {
  Options options = program_options();
  std::string listen = "127.0.0.1:8001";  // the client HTTP endpoint
  TlsFiles client_tls;                    // HTTPS only when enabled
  std::string log_level = "info";
  LogFormat log_format = LogFormat::kText;
  // Non-empty: authentication is on, with this root token (from --auth-root-token-file).
  std::string auth_root_token;
  bool help = false;
  bool version = false;
};

// Parses argv (without the program name), then the flags it does not give from
// `environment`, then those from --config-file. Throws std::invalid_argument with a
// message fit for the user on a bad or missing flag, saying where a bad value came from.
CommandLine parse_command_line(const std::vector<std::string>& args,
                               const EnvironmentLookup& environment = process_environment);

std::string usage();

}  // namespace paxoskv

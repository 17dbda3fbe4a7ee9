// paxoskvctl's command line: global options, one command, its arguments and options.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "paxoskv/tls.h"
#include "tools/ctl/endpoint.h"

namespace paxoskv::ctl {

enum class Command { put, get, del, cas, ls, watch, status, member, token, lock, elect, snapshot };
enum class OutputFormat { human, json };
enum class MemberAction { list, add, remove };
enum class TokenAction { create, list, revoke };

// The command's name on the command line; and back (nullopt for an unknown name).
std::string_view command_name(Command command);
std::optional<Command> command_named(std::string_view name);

// A command line to run.
struct Invocation {
  std::vector<Endpoint> endpoints;
  OutputFormat output = OutputFormat::human;
  std::chrono::milliseconds timeout{10'000};  // per request; long polls add their own wait
  std::string token;  // --token, else $PAXOSKV_TOKEN: sent as "Authorization: Bearer"
  // --cacert, --cert, --key: for https endpoints (any of them makes HTTPS the default).
  TlsFiles tls;

  Command command = Command::status;
  std::string key;  // put, get, del, cas, watch KEY; the prefix of ls and watch --prefix
  std::string value;
  bool value_from_stdin = false;                    // put/cas VALUE "-"
  std::optional<std::uint64_t> expected_version;    // put --cas, del --cas, cas
  bool local = false;                               // get --local
  std::optional<std::uint64_t> limit;               // ls --limit
  bool watch_prefix = false;                        // watch --prefix
  std::optional<std::uint64_t> from_version;        // watch KEY --from-version
  std::optional<std::uint64_t> from_index;          // watch --prefix P --from-index
  MemberAction member_action = MemberAction::list;  // member list|add|remove
  std::uint32_t member_id = 0;                      // member add ID, member remove ID
  std::string peer_address;                         // member add ID HOST:PORT
  TokenAction token_action = TokenAction::list;     // token create|list|revoke
  std::string token_name;                           // token create NAME, token revoke NAME
  std::string token_role;                           // token create --role
  std::string token_prefix;                         // token create --prefix
  std::chrono::milliseconds lease_ttl{10'000};      // lock, elect: --ttl
  std::vector<std::string> held_command;            // lock NAME -- COMMAND...
  bool elect_listen = false;                        // elect --listen NAME
  std::string snapshot_file;                        // snapshot save FILE
};

// --help / help [COMMAND]: the general help or that command's.
struct HelpRequest {
  std::optional<Command> command;
};

struct VersionRequest {};

using ParsedCommandLine = std::variant<Invocation, HelpRequest, VersionRequest>;

// `args` excludes the program name; `env_endpoints` is $PAXOSKV_ENDPOINTS if set,
// `env_token` $PAXOSKV_TOKEN. Throws UsageError.
ParsedCommandLine parse_arguments(std::span<const std::string> args,
                                  std::optional<std::string_view> env_endpoints,
                                  std::optional<std::string_view> env_token = std::nullopt);

// The shared duration syntax (http/encoding/duration.h): "5s", "500ms", "2m", "1h", "1m30s",
// "1.5s", or a bare number of seconds; 1ms to 24h. Throws UsageError.
std::chrono::milliseconds parse_duration(std::string_view option, std::string_view text);

// A decimal number below 2^64. Throws UsageError naming `what`.
std::uint64_t parse_number(std::string_view what, std::string_view text);

}  // namespace paxoskv::ctl

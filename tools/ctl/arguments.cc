#include "tools/ctl/arguments.h"

#include <algorithm>
#include <array>
#include <limits>
#include <map>

#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {

namespace {

struct CommandSpec {
  Command command;
  std::string_view name;
  std::vector<std::string_view> value_options;  // --name VALUE
  std::vector<std::string_view> flag_options;   // --name
};

const std::vector<CommandSpec>& command_specs() {
  static const std::vector<CommandSpec> specs = {
      {Command::put, "put", {"--cas"}, {}},
      {Command::get, "get", {}, {"--local"}},
      {Command::del, "del", {"--cas"}, {}},
      {Command::cas, "cas", {}, {}},
      {Command::ls, "ls", {"--limit"}, {}},
      {Command::watch, "watch", {"--prefix", "--from-version", "--from-index"}, {}},
      {Command::status, "status", {}, {}},
      {Command::member, "member", {}, {}},
      {Command::token, "token", {"--role", "--prefix"}, {}},
      {Command::lock, "lock", {"--ttl"}, {}},
      {Command::elect, "elect", {"--ttl"}, {"--listen"}},
      {Command::snapshot, "snapshot", {}, {}},
  };
  return specs;
}

const CommandSpec& spec_of(Command command) {
  const auto& specs = command_specs();
  return *std::find_if(specs.begin(), specs.end(),
                       [&](const CommandSpec& spec) { return spec.command == command; });
}

bool contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Everything read off the command line, before it is checked against the command.
struct RawCommandLine {
  bool help = false;
  bool version = false;
  bool help_command = false;  // "help [COMMAND]"
  std::optional<std::string> endpoints;
  std::optional<std::string> output;
  std::optional<std::string> timeout;
  std::optional<std::string> token;
  TlsFiles tls;
  std::optional<Command> command;
  std::vector<std::string> positionals;
  // How many positionals came before "--" (none: no "--").
  std::optional<std::size_t> positionals_before_double_dash;
  std::map<std::string, std::string, std::less<>> command_options;  // flags map to ""
};

Command require_command(std::string_view name) {
  const auto command = command_named(name);
  if (!command) throw UsageError("unknown command '" + std::string(name) + "'");
  return *command;
}

RawCommandLine read_command_line(std::span<const std::string> args) {
  RawCommandLine raw;
  bool options_ended = false;
  for (std::size_t at = 0; at < args.size(); ++at) {
    const std::string& arg = args[at];
    if (options_ended || arg == "-" || !arg.starts_with('-')) {
      if (raw.command || raw.help_command) {
        raw.positionals.push_back(arg);
      } else if (arg == "help") {
        raw.help_command = true;
      } else {
        raw.command = require_command(arg);
      }
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      raw.positionals_before_double_dash = raw.positionals.size();
      continue;
    }
    std::string name = arg;
    std::optional<std::string> inline_value;
    if (const auto equals = arg.find('='); arg.starts_with("--") && equals != std::string::npos) {
      name = arg.substr(0, equals);
      inline_value = arg.substr(equals + 1);
    }
    auto take_value = [&]() -> std::string {
      if (inline_value) return *inline_value;
      if (at + 1 >= args.size()) throw UsageError(name + " needs a value");
      return args[++at];
    };
    auto no_value = [&] {
      if (inline_value) throw UsageError(name + " takes no value");
    };

    if (name == "-h" || name == "--help") {
      no_value();
      raw.help = true;
    } else if (name == "--version") {
      no_value();
      raw.version = true;
    } else if (name == "--endpoints") {
      raw.endpoints = take_value();
    } else if (name == "-o" || name == "--output") {
      raw.output = take_value();
    } else if (name == "--timeout") {
      raw.timeout = take_value();
    } else if (name == "--token") {
      raw.token = take_value();
    } else if (name == "--cacert") {
      raw.tls.trusted_ca_file = take_value();
    } else if (name == "--cert") {
      raw.tls.cert_file = take_value();
    } else if (name == "--key") {
      raw.tls.key_file = take_value();
    } else if (!raw.command) {
      throw UsageError("unknown option " + name +
                       (raw.help_command ? "" : " (a command's options come after it)"));
    } else if (const CommandSpec& spec = spec_of(*raw.command);
               contains(spec.value_options, name) || contains(spec.flag_options, name)) {
      std::string value;
      if (contains(spec.value_options, name)) {
        value = take_value();
      } else {
        no_value();
      }
      if (!raw.command_options.emplace(name, std::move(value)).second) {
        throw UsageError(name + " given twice");
      }
    } else {
      throw UsageError("unknown option " + name + " for " + std::string(spec.name));
    }
  }
  return raw;
}

std::optional<std::string> option(const RawCommandLine& raw, std::string_view name) {
  const auto found = raw.command_options.find(name);
  if (found == raw.command_options.end()) return std::nullopt;
  return found->second;
}

std::optional<std::uint64_t> number_option(const RawCommandLine& raw, std::string_view name) {
  const auto text = option(raw, name);
  if (!text) return std::nullopt;
  return parse_number(name, *text);
}

void expect_arguments(const RawCommandLine& raw, std::size_t min, std::size_t max,
                      std::string_view synopsis) {
  const std::size_t count = raw.positionals.size();
  if (count >= min && count <= max) return;
  std::string message = count < min ? "missing arguments" : "too many arguments";
  throw UsageError(message + ": expected " + std::string(synopsis));
}

std::string require_key(std::string key) {
  if (key.empty()) throw UsageError("KEY must not be empty");
  return key;
}

void set_value(Invocation& invocation, const std::string& value) {
  if (value == "-") {
    invocation.value_from_stdin = true;
  } else {
    invocation.value = value;
  }
}

std::uint32_t member_id(std::string_view text) {
  const std::uint64_t id = parse_number("member ID", text);
  if (id == 0 || id > 0xFFFFFFFFu) {
    throw UsageError("bad member ID '" + std::string(text) + "': expected 1 to 4294967295");
  }
  return static_cast<std::uint32_t>(id);
}

void fill_member(const RawCommandLine& raw, Invocation& invocation) {
  const auto& args = raw.positionals;
  constexpr std::string_view synopsis = "member list, member add ID HOST:PORT or member remove ID";
  if (args.empty()) throw UsageError("missing arguments: expected " + std::string(synopsis));
  const std::string& action = args[0];
  if (action == "list") {
    expect_arguments(raw, 1, 1, "member list");
    invocation.member_action = MemberAction::list;
  } else if (action == "add") {
    expect_arguments(raw, 3, 3, "member add ID HOST:PORT");
    invocation.member_action = MemberAction::add;
    invocation.member_id = member_id(args[1]);
    if (args[2].find(':') == std::string::npos) {
      throw UsageError("bad HOST:PORT '" + args[2] + "': the new replica's peer address");
    }
    invocation.peer_address = args[2];
  } else if (action == "remove") {
    expect_arguments(raw, 2, 2, "member remove ID");
    invocation.member_action = MemberAction::remove;
    invocation.member_id = member_id(args[1]);
  } else {
    throw UsageError("unknown member command '" + action + "': expected " + std::string(synopsis));
  }
}

void fill_token(const RawCommandLine& raw, Invocation& invocation) {
  const auto& args = raw.positionals;
  constexpr std::string_view synopsis =
      "token create NAME --role ROLE [--prefix PREFIX], token list or token revoke NAME";
  if (args.empty()) throw UsageError("missing arguments: expected " + std::string(synopsis));
  const std::string& action = args[0];
  const auto role = raw.command_options.find("--role");
  const auto prefix = raw.command_options.find("--prefix");
  if (action != "create" &&
      (role != raw.command_options.end() || prefix != raw.command_options.end())) {
    throw UsageError("--role and --prefix belong to token create");
  }
  if (action == "create") {
    expect_arguments(raw, 2, 2, "token create NAME --role ROLE [--prefix PREFIX]");
    if (role == raw.command_options.end()) {
      throw UsageError("token create needs --role read, readwrite or admin");
    }
    invocation.token_action = TokenAction::create;
    invocation.token_name = args[1];
    invocation.token_role = role->second;
    if (prefix != raw.command_options.end()) invocation.token_prefix = prefix->second;
  } else if (action == "list") {
    expect_arguments(raw, 1, 1, "token list");
    invocation.token_action = TokenAction::list;
  } else if (action == "revoke") {
    expect_arguments(raw, 2, 2, "token revoke NAME");
    invocation.token_action = TokenAction::revoke;
    invocation.token_name = args[1];
  } else {
    throw UsageError("unknown token command '" + action + "': expected " + std::string(synopsis));
  }
}

// --ttl of a lock or campaign's lease: 1 s to 1 h, as the API allows.
std::chrono::milliseconds lease_ttl(const RawCommandLine& raw) {
  const auto text = option(raw, "--ttl");
  if (!text) return std::chrono::seconds(10);
  const std::chrono::milliseconds ttl = parse_duration("--ttl", *text);
  if (ttl < std::chrono::seconds(1) || ttl > std::chrono::hours(1)) {
    throw UsageError("--ttl must be from 1s to 1h");
  }
  return ttl;
}

void fill_lock(const RawCommandLine& raw, Invocation& invocation) {
  const auto& args = raw.positionals;
  const std::size_t before = raw.positionals_before_double_dash.value_or(args.size());
  if (before != 1) {
    throw UsageError(std::string(before == 0 ? "missing arguments" : "too many arguments") +
                     ": expected lock NAME [-- COMMAND [ARG...]]");
  }
  invocation.key = require_key(args[0]);
  invocation.held_command.assign(args.begin() + 1, args.end());
  invocation.lease_ttl = lease_ttl(raw);
}

void fill_elect(const RawCommandLine& raw, Invocation& invocation) {
  if (raw.positionals_before_double_dash) {
    throw UsageError("elect runs no command: expected elect NAME VALUE or elect --listen NAME");
  }
  invocation.elect_listen = option(raw, "--listen").has_value();
  if (invocation.elect_listen) {
    expect_arguments(raw, 1, 1, "elect --listen NAME");
    if (option(raw, "--ttl")) throw UsageError("--ttl is for a campaign, not for --listen");
  } else {
    expect_arguments(raw, 2, 2, "elect NAME VALUE");
    set_value(invocation, raw.positionals[1]);
    if (invocation.value_from_stdin) throw UsageError("elect takes its VALUE as an argument");
    invocation.lease_ttl = lease_ttl(raw);
  }
  invocation.key = require_key(raw.positionals[0]);
}

void fill_command(const RawCommandLine& raw, Invocation& invocation) {
  const auto& args = raw.positionals;
  switch (invocation.command) {
    case Command::put:
      expect_arguments(raw, 2, 2, "put KEY VALUE");
      invocation.key = require_key(args[0]);
      set_value(invocation, args[1]);
      invocation.expected_version = number_option(raw, "--cas");
      break;
    case Command::get:
      expect_arguments(raw, 1, 1, "get KEY");
      invocation.key = require_key(args[0]);
      invocation.local = option(raw, "--local").has_value();
      break;
    case Command::del:
      expect_arguments(raw, 1, 1, "del KEY");
      invocation.key = require_key(args[0]);
      invocation.expected_version = number_option(raw, "--cas");
      break;
    case Command::cas:
      expect_arguments(raw, 3, 3, "cas KEY EXPECTED_VERSION VALUE");
      invocation.key = require_key(args[0]);
      invocation.expected_version = parse_number("EXPECTED_VERSION", args[1]);
      set_value(invocation, args[2]);
      break;
    case Command::ls:
      expect_arguments(raw, 0, 1, "ls [PREFIX]");
      invocation.key = args.empty() ? "" : args[0];
      invocation.limit = number_option(raw, "--limit");
      if (invocation.limit == 0u) throw UsageError("--limit must be at least 1");
      break;
    case Command::watch:
      invocation.from_version = number_option(raw, "--from-version");
      invocation.from_index = number_option(raw, "--from-index");
      if (const auto prefix = option(raw, "--prefix")) {
        expect_arguments(raw, 0, 0, "watch --prefix PREFIX (and no KEY)");
        if (invocation.from_version) {
          throw UsageError("--from-version is for a key watch; use --from-index with --prefix");
        }
        invocation.watch_prefix = true;
        invocation.key = *prefix;
      } else {
        expect_arguments(raw, 1, 1, "watch KEY or watch --prefix PREFIX");
        if (invocation.from_index) throw UsageError("--from-index needs --prefix");
        invocation.key = require_key(args[0]);
      }
      break;
    case Command::status:
      expect_arguments(raw, 0, 0, "status");
      break;
    case Command::member:
      fill_member(raw, invocation);
      break;
    case Command::token:
      fill_token(raw, invocation);
      break;
    case Command::lock:
      fill_lock(raw, invocation);
      break;
    case Command::elect:
      fill_elect(raw, invocation);
      break;
    case Command::snapshot:
      expect_arguments(raw, 2, 2, "snapshot save FILE");
      if (args[0] != "save") throw UsageError("unknown snapshot command '" + args[0] + "'");
      invocation.snapshot_file = args[1];
      break;
  }
}

}  // namespace

std::string_view command_name(Command command) {
  return spec_of(command).name;
}

std::optional<Command> command_named(std::string_view name) {
  for (const CommandSpec& spec : command_specs()) {
    if (spec.name == name) return spec.command;
  }
  return std::nullopt;
}

std::uint64_t parse_number(std::string_view what, std::string_view text) {
  std::uint64_t value = 0;
  bool valid = !text.empty();
  for (const char c : text) {
    if (c < '0' || c > '9') {
      valid = false;
      break;
    }
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
      valid = false;
      break;
    }
    value = value * 10 + digit;
  }
  if (!valid) {
    throw UsageError("bad " + std::string(what) + " '" + std::string(text) +
                     "': expected a decimal number");
  }
  return value;
}

std::chrono::milliseconds parse_duration(std::string_view option, std::string_view text) {
  const auto digits_end =
      std::find_if(text.begin(), text.end(), [](char c) { return c < '0' || c > '9'; });
  const std::string_view digits(text.begin(), digits_end);
  const std::string_view unit(digits_end, text.end());
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 5> units = {
      {{"ms", 1}, {"s", 1000}, {"", 1000}, {"m", 60'000}, {"h", 3'600'000}}};
  const auto found = std::find_if(units.begin(), units.end(),
                                  [&](const auto& entry) { return entry.first == unit; });
  auto bad = [&] {
    return UsageError("bad " + std::string(option) + " '" + std::string(text) +
                      "': expected a duration like 5s, 500ms or 2m");
  };
  if (digits.empty() || found == units.end()) throw bad();
  const std::uint64_t count = parse_number(option, digits);
  // A day is long enough for any single request; it also keeps the product in range.
  constexpr std::uint64_t max_millis = 24ull * 3'600'000;
  if (count == 0) throw bad();
  if (count > max_millis / found->second) {
    throw UsageError("bad " + std::string(option) + ": at most 24h");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(count * found->second));
}

ParsedCommandLine parse_arguments(std::span<const std::string> args,
                                  std::optional<std::string_view> env_endpoints,
                                  std::optional<std::string_view> env_token) {
  const RawCommandLine raw = read_command_line(args);
  if (raw.help || raw.help_command) {
    HelpRequest help{raw.command};
    if (raw.help_command && !raw.positionals.empty()) {
      if (raw.positionals.size() > 1) throw UsageError("help takes at most one command");
      help.command = require_command(raw.positionals[0]);
    }
    return help;
  }
  if (raw.version) return VersionRequest{};
  if (!raw.command) throw UsageError("no command given");

  Invocation invocation;
  invocation.command = *raw.command;
  if (raw.tls.cert_file.empty() != raw.tls.key_file.empty()) {
    throw UsageError("--cert and --key go together");
  }
  invocation.tls = raw.tls;
  const bool https = raw.tls.enabled() || !raw.tls.trusted_ca_file.empty();
  if (raw.endpoints) {
    invocation.endpoints = parse_endpoints(*raw.endpoints, https);
  } else if (env_endpoints && !env_endpoints->empty()) {
    invocation.endpoints = parse_endpoints(*env_endpoints, https);
  } else {
    invocation.endpoints = parse_endpoints(default_endpoints, https);
  }
  if (raw.output) {
    if (*raw.output == "json") {
      invocation.output = OutputFormat::json;
    } else if (*raw.output != "human") {
      throw UsageError("bad --output '" + *raw.output + "': expected human or json");
    }
  }
  if (raw.timeout) invocation.timeout = parse_duration("--timeout", *raw.timeout);
  if (raw.token) {
    invocation.token = *raw.token;
  } else if (env_token) {
    invocation.token = *env_token;
  }
  fill_command(raw, invocation);
  return invocation;
}

}  // namespace paxoskv::ctl

#include "tools/ctl/arguments.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <limits>
#include <map>

#include "http/encoding/duration.h"
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

// The word on the line that `extra` (an argument CLI11 could not place) was, and whether it
// came before the command's name.
bool before_command(std::span<const std::string> args, const std::string& extra,
                    std::string_view command) {
  const auto extra_at = std::find(args.begin(), args.end(), extra);
  const auto command_at = std::find(args.begin(), args.end(), command);
  return command_at == args.end() || extra_at < command_at;
}

// The line up to "--" is read by CLI11: the global options (before or after the command),
// one command and its options and arguments; what follows "--" is arguments only.
RawCommandLine read_command_line(std::span<const std::string> args) {
  RawCommandLine raw;
  const auto double_dash = std::find(args.begin(), args.end(), std::string("--"));
  const std::span<const std::string> options_part(args.begin(), double_dash);
  std::vector<std::string> after_double_dash;
  if (double_dash != args.end()) after_double_dash.assign(double_dash + 1, args.end());

  CLI::App app;
  app.set_help_flag();  // help is a request like any other (HelpRequest), not an exit
  app.allow_extras();   // what CLI11 cannot place gets the messages below
  app.require_subcommand(0, 1);
  const auto global = [&](const std::string& names, std::string& value) {
    app.add_option(names, value)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  };
  std::string endpoints, output, timeout, token;
  global("--endpoints", endpoints);
  global("-o,--output", output);
  global("--timeout", timeout);
  global("--token", token);
  global("--cacert", raw.tls.trusted_ca_file);
  global("--cert", raw.tls.cert_file);
  global("--key", raw.tls.key_file);
  app.add_flag("-h,--help")->disable_flag_override();
  app.add_flag("--version")->disable_flag_override();

  std::vector<std::string> help_arguments;
  CLI::App* help = app.add_subcommand("help");
  help->set_help_flag();
  help->fallthrough();
  help->add_option("command", help_arguments);

  std::map<std::string, std::string> option_values;  // "command --name" -> its value
  std::vector<std::string> positionals;
  for (const CommandSpec& spec : command_specs()) {
    CLI::App* command = app.add_subcommand(std::string(spec.name));
    command->set_help_flag();
    command->fallthrough();  // global options after the command
    command->add_option("arguments", positionals);
    for (const std::string_view name : spec.value_options) {
      command->add_option(std::string(name),
                          option_values[std::string(spec.name) + " " + std::string(name)]);
    }
    for (const std::string_view name : spec.flag_options) {
      command->add_flag(std::string(name))->disable_flag_override();
    }
  }

  try {
    app.parse(std::vector<std::string>(options_part.rbegin(), options_part.rend()));
  } catch (const CLI::ParseError& error) {
    throw UsageError(error.what());
  }

  raw.help = app.get_option("--help")->count() > 0;
  raw.version = app.get_option("--version")->count() > 0;
  const auto present = [](const CLI::Option* option) { return option->count() > 0; };
  if (present(app.get_option("--endpoints"))) raw.endpoints = endpoints;
  if (present(app.get_option("--output"))) raw.output = output;
  if (present(app.get_option("--timeout"))) raw.timeout = timeout;
  if (present(app.get_option("--token"))) raw.token = token;

  const std::vector<CLI::App*> chosen = app.get_subcommands();
  if (!chosen.empty() && chosen.front() == help) {
    raw.help_command = true;
    raw.positionals = std::move(help_arguments);
  } else if (!chosen.empty()) {
    const CLI::App* command = chosen.front();
    raw.command = require_command(command->get_name());
    raw.positionals = std::move(positionals);
    const CommandSpec& spec = spec_of(*raw.command);
    for (const std::string_view name : spec.value_options) {
      if (present(command->get_option(std::string(name)))) {
        raw.command_options.emplace(
            name, option_values[std::string(spec.name) + " " + std::string(name)]);
      }
    }
    for (const std::string_view name : spec.flag_options) {
      const std::size_t count = command->get_option(std::string(name))->count();
      if (count > 1) throw UsageError(std::string(name) + " given twice");
      if (count == 1) raw.command_options.emplace(name, "");
    }
  }

  for (const std::string& extra : app.remaining()) {
    if (!extra.starts_with('-') || extra == "-") {
      // A word before any command, that names none.
      if (!raw.command && !raw.help_command) {
        raw.command = require_command(extra);
        continue;
      }
      throw UsageError("unexpected argument '" + extra + "'");
    }
    if (!raw.command) {
      throw UsageError("unknown option " + extra +
                       (raw.help_command ? "" : " (a command's options come after it)"));
    }
    const std::string_view name = command_name(*raw.command);
    if (before_command(options_part, extra, name)) {
      throw UsageError("unknown option " + extra + " (a command's options come after it)");
    }
    throw UsageError("unknown option " + extra + " for " + std::string(name));
  }

  if (double_dash != args.end()) {
    // "-- put k v": the command's name may come after "--" too.
    if (!raw.command && !raw.help_command && !after_double_dash.empty()) {
      raw.command = require_command(after_double_dash.front());
      after_double_dash.erase(after_double_dash.begin());
    }
    raw.positionals_before_double_dash = raw.positionals.size();
    raw.positionals.insert(raw.positionals.end(), after_double_dash.begin(),
                           after_double_dash.end());
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
  const auto duration = http::parse_duration(text);
  if (!duration) {
    throw UsageError("bad " + std::string(option) + " '" + std::string(text) + "': expected " +
                     std::string(http::kDurationSyntax));
  }
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(*duration);
  if (millis.count() == 0) {
    throw UsageError("bad " + std::string(option) + " '" + std::string(text) + "': at least 1ms");
  }
  // A day is long enough for any single request.
  if (millis > std::chrono::hours(24)) {
    throw UsageError("bad " + std::string(option) + ": at most 24h");
  }
  return millis;
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

#include "src/server/command_line.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http/encoding/duration.h"

namespace paxoskv {

namespace {

std::uint64_t parse_number(const std::string& flag, std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw std::invalid_argument(flag + ": not a number: '" + std::string(text) + "'");
  }
  return value;
}

// The shared duration syntax (http/encoding/duration.h); at least 1ms, at most a day.
std::chrono::milliseconds parse_duration(const std::string& flag, std::string_view text) {
  const auto duration = http::parse_duration(text);
  if (!duration) {
    throw std::invalid_argument(flag + ": expected " + std::string(http::kDurationSyntax) +
                                ", got '" + std::string(text) + "'");
  }
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(*duration);
  if (millis < std::chrono::milliseconds(1) || millis > std::chrono::hours(24)) {
    throw std::invalid_argument(flag + ": out of range (1ms to 24h)");
  }
  return millis;
}

// "1=127.0.0.1:9001,2=127.0.0.1:9002"
std::map<std::uint32_t, std::string> parse_cluster(std::string_view text) {
  std::map<std::uint32_t, std::string> cluster;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view member = text.substr(0, comma);
    const std::size_t equals = member.find('=');
    if (equals == std::string_view::npos || equals + 1 == member.size()) {
      throw std::invalid_argument("--cluster: expected ID=HOST:PORT, got '" + std::string(member) +
                                  "'");
    }
    const std::uint64_t id = parse_number("--cluster", member.substr(0, equals));
    if (id == 0 || id > 0xFFFFFFFFu) throw std::invalid_argument("--cluster: ids are 1 to 2^32-1");
    if (!cluster.emplace(static_cast<std::uint32_t>(id), std::string(member.substr(equals + 1)))
             .second) {
      throw std::invalid_argument("--cluster: id " + std::to_string(id) + " given twice");
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return cluster;
}

// The root token in `path`: its contents without trailing whitespace.
std::string read_root_token(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::invalid_argument("--auth-root-token-file: cannot read " + path);
  std::ostringstream contents;
  contents << file.rdbuf();
  std::string token = contents.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())) != 0) {
    token.pop_back();
  }
  if (token.empty()) {
    throw std::invalid_argument("--auth-root-token-file: " + path +
                                " holds no token (it is empty or only whitespace)");
  }
  return token;
}

// spdlog's level names (main.cc hands the level to spdlog).
std::string check_log_level(const std::string& level) {
  static constexpr std::array<std::string_view, 9> levels = {
      "trace", "debug", "info", "warn", "warning", "err", "error", "critical", "off"};
  if (std::find(levels.begin(), levels.end(), level) == levels.end()) {
    throw std::invalid_argument("--log-level: unknown level '" + level + "'");
  }
  return level;
}

void check_client_tls(const TlsFiles& tls) {
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    throw std::invalid_argument("--cert-file and --key-file go together");
  }
  if (!tls.enabled() && !tls.trusted_ca_file.empty()) {
    throw std::invalid_argument("--trusted-ca-file needs --cert-file and --key-file");
  }
  if (tls.client_cert_auth && tls.trusted_ca_file.empty()) {
    throw std::invalid_argument("--client-cert-auth needs --trusted-ca-file");
  }
}

// One flag of paxoskv: a value flag (--name VALUE) or a switch (--name, off unless given).
struct Flag {
  std::string name;          // without the dashes
  std::string value_name;    // "N", "DIR"...; empty for a switch
  std::string default_text;  // shown in --help as --name N=DEFAULT; empty: none
  std::string help;
  std::function<void(CommandLine&, const std::string&)> set_value;  // a value flag
  std::function<void(CommandLine&)> set_switch;                     // a switch, when on

  bool is_switch() const { return value_name.empty(); }
};

std::vector<Flag> server_flags() {
  const Options defaults;
  const CommandLine line_defaults;
  auto value = [](std::string name, std::string value_name, std::string default_text,
                  std::string help, std::function<void(CommandLine&, const std::string&)> set) {
    return Flag{std::move(name), std::move(value_name), std::move(default_text),
                std::move(help), std::move(set),        {}};
  };
  auto on_off = [](std::string name, std::string help, std::function<void(CommandLine&)> set) {
    return Flag{std::move(name), "", "", std::move(help), {}, std::move(set)};
  };
  return {
      value("id", "N", "", "this replica's id, one of the ids in --cluster (required)",
            [](CommandLine& line, const std::string& v) {
              const std::uint64_t id = parse_number("--id", v);
              if (id == 0 || id > 0xFFFFFFFFu) throw std::invalid_argument("--id: 1 to 2^32-1");
              line.options.id = static_cast<std::uint32_t>(id);
            }),
      value("data-dir", "DIR", "",
            "where the replica keeps its data; created if missing (required)",
            [](CommandLine& line, const std::string& v) { line.options.data_dir = v; }),
      value(
          "cluster", "ID=HOST:PORT,...", "",
          "every replica's peer address, this one included (required);\n"
          "it founds a new cluster's members, later the replicated\n"
          "configuration wins",
          [](CommandLine& line, const std::string& v) { line.options.cluster = parse_cluster(v); }),
      on_off("join",
             "join an existing cluster after its members added this id\n"
             "(POST /v1/members; a new id: ids are never reused): take\n"
             "the configuration from a member, catch up, then vote;\n"
             "--cluster names at least one reachable member and this\n"
             "replica (default: off, found a cluster)",
             [](CommandLine& line) { line.options.join = true; }),
      value("listen", "HOST:PORT", line_defaults.listen, "the client HTTP/JSON endpoint",
            [](CommandLine& line, const std::string& v) { line.listen = v; }),
      value("cert-file", "F", "", "serve clients HTTPS only, with this certificate (PEM)",
            [](CommandLine& line, const std::string& v) { line.client_tls.cert_file = v; }),
      value("key-file", "F", "", "the certificate's private key (PEM)",
            [](CommandLine& line, const std::string& v) { line.client_tls.key_file = v; }),
      value("trusted-ca-file", "F", "",
            "verify a client certificate, if one is given, against this\nCA (PEM)",
            [](CommandLine& line, const std::string& v) { line.client_tls.trusted_ca_file = v; }),
      on_off("client-cert-auth",
             "require a client certificate signed by --trusted-ca-file\n(default: off)",
             [](CommandLine& line) { line.client_tls.client_cert_auth = true; }),
      value("peer-listen", "HOST:PORT", "",
            "where to accept other replicas' connections\n"
            "(default: this replica's address in --cluster)",
            [](CommandLine& line, const std::string& v) { line.options.peer_listen = v; }),
      value("peer-cert-file", "F", "",
            "mutual TLS between replicas (--peer-cert-file,\n"
            "--peer-key-file and --peer-trusted-ca-file: all three, on\n"
            "every replica): this replica's certificate (PEM); a\n"
            "connection without one is refused at the handshake.\n"
            "SIGHUP re-reads the files",
            [](CommandLine& line, const std::string& v) { line.options.peer_tls.cert_file = v; }),
      value("peer-key-file", "F", "", "its private key (PEM)",
            [](CommandLine& line, const std::string& v) { line.options.peer_tls.key_file = v; }),
      value("peer-trusted-ca-file", "F", "", "the CA a peer's certificate must be signed by (PEM)",
            [](CommandLine& line, const std::string& v) {
              line.options.peer_tls.trusted_ca_file = v;
            }),
      value("cluster-name", "NAME", defaults.cluster_name,
            "a data dir serves only the cluster it was made for",
            [](CommandLine& line, const std::string& v) { line.options.cluster_name = v; }),
      value("max-value-bytes", "N", std::to_string(defaults.max_value_bytes),
            "largest value accepted",
            [](CommandLine& line, const std::string& v) {
              const std::uint64_t bytes = parse_number("--max-value-bytes", v);
              if (bytes == 0 || bytes > (64u << 20)) {
                throw std::invalid_argument("--max-value-bytes: 1 to 67108864");
              }
              line.options.max_value_bytes = bytes;
            }),
      value("request-timeout", "D", "5s",
            "a request that cannot reach a majority by then gets 503\n"
            "(D is like 500ms, 5s, 1m, 1h or 1m30s)",
            [](CommandLine& line, const std::string& v) {
              line.options.request_timeout = parse_duration("--request-timeout", v);
            }),
      value("threads", "N", std::to_string(line_defaults.options.client_threads),
            "threads serving clients (HTTP, TLS, local reads) beside\n"
            "the replica's thread, which runs the Paxos core; 0: serve\n"
            "clients from that thread (fewest thread crossings, best\n"
            "when replicas share cores). Default: the number of cores",
            [](CommandLine& line, const std::string& v) {
              const std::uint64_t threads = parse_number("--threads", v);
              if (threads > kMaxClientThreads) {
                throw std::invalid_argument("--threads: 0 to " + std::to_string(kMaxClientThreads));
              }
              line.options.client_threads = threads;
            }),
      value("disk-reserve-bytes", "N", std::to_string(defaults.disk_reserve_bytes),
            "client writes get 507 while the data dir's file system has\n"
            "less than N bytes free; 0: never",
            [](CommandLine& line, const std::string& v) {
              line.options.disk_reserve_bytes = parse_number("--disk-reserve-bytes", v);
            }),
      value("quota-bytes", "N", "0",
            "client writes that add data get 507 while the data dir is\n"
            "larger than N bytes (deletes still work); 0: no quota",
            [](CommandLine& line, const std::string& v) {
              line.options.quota_bytes = parse_number("--quota-bytes", v);
            }),
      on_off("allow-after-disk-failure",
             "start although a write to the data dir failed before (the\n"
             "replica then stopped and left DISK_WRITE_FAILED there,\n"
             "which this removes); without it such a start exits with 2",
             [](CommandLine& line) { line.options.allow_after_disk_failure = true; }),
      value("auth-root-token-file", "F", "",
            "turn authentication on: F holds the root token, an admin\n"
            "for all keys (trailing whitespace ignored; give every\n"
            "replica the same file); then /v1/ requests need\n"
            "'Authorization: Bearer TOKEN' (default: off)",
            [](CommandLine& line, const std::string& v) {
              line.auth_root_token = read_root_token(v);
            }),
      value("log-level", "LEVEL", line_defaults.log_level, "trace, debug, info, warn, error or off",
            [](CommandLine& line, const std::string& v) { line.log_level = check_log_level(v); }),
      value("log-format", "FORMAT", "text",
            "text, or json: each log line one JSON object with ts,\n"
            "level, replica and msg",
            [](CommandLine& line, const std::string& v) {
              const auto format = parse_log_format(v);
              if (!format) {
                throw std::invalid_argument("--log-format: unknown format '" + v +
                                            "' (text or json)");
              }
              line.log_format = *format;
            }),
  };
}

constexpr std::string_view kUsageLine =
    "usage: paxoskv --id N --data-dir DIR --cluster ID=HOST:PORT,... [--join] [flags]\n"
    "\n"
    "A replica of a paxoskv cluster: a replicated key-value store on Paxos.\n";

constexpr std::string_view kFooter =
    "Every flag can also come from the environment: PAXOSKV_ and the flag's name in\n"
    "capitals, dashes as underscores (--request-timeout: PAXOSKV_REQUEST_TIMEOUT=5s;\n"
    "a switch: PAXOSKV_JOIN=true), or from the TOML file of --config-file, the flag's\n"
    "name as key (request-timeout = \"5s\", max-value-bytes = 1000, join = true). The\n"
    "command line wins over the environment, the environment over the file; a key\n"
    "the file should not have is an error. Durations: 500ms, 5s, 2m, 1h, 1m30s, 1.5s\n"
    "(units ns, us, ms, s, m, h), or a bare number of seconds.";

// CLI11's help with our usage line first (it puts the description before the usage).
class UsageFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App*, std::string) const override {
    return std::string(kUsageLine);
  }
};

// What argv gave to the value flags and --config-file (CLI11 counts which appeared).
struct ArgvValues {
  std::map<std::string, std::string> values;
  std::string config_file;
};

void describe_flags(CLI::App& app, const std::vector<Flag>& flags, ArgvValues& given) {
  app.formatter(std::make_shared<UsageFormatter>());
  app.get_formatter()->column_width(30);
  app.set_help_flag("-h,--help", "this text");
  // A flag given twice: the last one counts, as it always did.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  for (const Flag& flag : flags) {
    const std::string dashed = "--" + flag.name;
    if (flag.is_switch()) {
      app.add_flag(dashed, flag.help)->disable_flag_override();
    } else {
      CLI::Option* option = app.add_option(dashed, given.values[flag.name], flag.help);
      option->type_name(flag.value_name);
      if (!flag.default_text.empty()) option->default_str(flag.default_text);
    }
  }
  app.add_option("--config-file", given.config_file,
                 "read flags from this TOML file, the flag's name as key\n"
                 "(max-value-bytes = 1000); see below")
      ->type_name("F");
  const std::string version_help = "the version";
  app.add_flag("--version", version_help)->disable_flag_override();
  app.footer(std::string(kFooter));
}

// The value of a flag from the source that wins, and where it came from (empty: the
// command line, whose errors name the flag already).
struct Sourced {
  std::string value;
  std::string origin;
};

}  // namespace

std::string usage() {
  CLI::App app;
  ArgvValues unused;
  describe_flags(app, server_flags(), unused);
  return app.help();
}

Options program_options() {
  Options options;
  // hardware_concurrency() may not know (0): then one.
  options.client_threads =
      std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, kMaxClientThreads);
  return options;
}

CommandLine parse_command_line(const std::vector<std::string>& args,
                               const EnvironmentLookup& environment) {
  CommandLine line;
  const std::vector<Flag> flags = server_flags();
  CLI::App app;
  ArgvValues given;
  describe_flags(app, flags, given);
  try {
    app.parse(std::vector<std::string>(args.rbegin(), args.rend()));  // CLI11 takes them reversed
  } catch (const CLI::CallForHelp&) {
    line.help = true;
    return line;
  } catch (const CLI::ParseError& error) {
    throw std::invalid_argument(error.what());
  }
  if (app.get_option("--version")->count() > 0) {
    line.version = true;
    return line;
  }

  const auto from_environment = [&](const std::string& name) -> std::optional<Sourced> {
    const std::string variable = environment_name(name);
    auto value = environment(variable);
    if (!value || value->empty()) return std::nullopt;  // an empty variable is unset
    return Sourced{std::move(*value), " (from the environment: " + variable + ")"};
  };

  std::optional<std::string> config_file;
  if (app.get_option("--config-file")->count() > 0) {
    config_file = given.config_file;
  } else if (auto sourced = from_environment("config-file")) {
    config_file = sourced->value;
  }
  std::map<std::string, std::string> file_values;
  if (config_file) {
    std::set<std::string> known;
    for (const Flag& flag : flags) known.insert(flag.name);
    file_values = read_config_file(*config_file, known);
  }

  std::set<std::string> set_flags;
  for (const Flag& flag : flags) {
    std::optional<Sourced> sourced;
    if (app.get_option("--" + flag.name)->count() > 0) {
      sourced = Sourced{flag.is_switch() ? "true" : given.values[flag.name], ""};
    } else if (auto from_env = from_environment(flag.name)) {
      sourced = std::move(from_env);
    } else if (const auto found = file_values.find(flag.name); found != file_values.end()) {
      sourced = Sourced{found->second, " (from " + flag.name + " in " + *config_file + ")"};
    }
    if (!sourced) continue;
    try {
      if (!flag.is_switch()) {
        flag.set_value(line, sourced->value);
      } else if (const auto on = parse_switch_value(sourced->value); !on) {
        throw std::invalid_argument("--" + flag.name + ": expected true or false, got '" +
                                    sourced->value + "'");
      } else if (*on) {
        flag.set_switch(line);
      }
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument(error.what() + sourced->origin);
    }
    set_flags.insert(flag.name);
  }

  Options& options = line.options;
  if (!set_flags.contains("id")) throw std::invalid_argument("--id is required");
  if (options.data_dir.empty()) throw std::invalid_argument("--data-dir is required");
  if (options.cluster.empty()) throw std::invalid_argument("--cluster is required");
  if (options.peer_tls.incomplete()) {
    throw std::invalid_argument(
        "peer TLS needs all three of --peer-cert-file, --peer-key-file and "
        "--peer-trusted-ca-file");
  }
  if (!options.cluster.contains(options.id)) {
    throw std::invalid_argument("--id " + std::to_string(options.id) + " is not in --cluster");
  }
  check_client_tls(line.client_tls);
  return line;
}

}  // namespace paxoskv

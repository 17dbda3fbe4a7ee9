#include "src/server/command_line.h"

#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>

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

// "5s", "500ms", "2m", or a bare number of seconds.
std::chrono::milliseconds parse_duration(const std::string& flag, std::string_view text) {
  std::uint64_t scale = 1000;
  if (text.ends_with("ms")) {
    scale = 1;
    text.remove_suffix(2);
  } else if (text.ends_with('s')) {
    text.remove_suffix(1);
  } else if (text.ends_with('m')) {
    scale = 60'000;
    text.remove_suffix(1);
  }
  const std::uint64_t value = parse_number(flag, text);
  if (value == 0 || value > 24ULL * 3600 * 1000 / scale) {
    throw std::invalid_argument(flag + ": out of range");
  }
  return std::chrono::milliseconds(value * scale);
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

}  // namespace

std::string usage() {
  const Options defaults;
  return "usage: paxoskv --id N --data-dir DIR --cluster ID=HOST:PORT,... [--join] [flags]\n"
         "\n"
         "A replica of a paxoskv cluster: a replicated key-value store on Paxos.\n"
         "\n"
         "  --id N                  this replica's id, one of the ids in --cluster (required)\n"
         "  --data-dir DIR          where the replica keeps its data; created if missing "
         "(required)\n"
         "  --cluster ID=HOST:PORT,...\n"
         "                          every replica's peer address, this one included (required);\n"
         "                          it founds a new cluster's members, later the replicated\n"
         "                          configuration wins\n"
         "  --join                  join an existing cluster after its members added this id\n"
         "                          (POST /v1/members; a new id: ids are never reused): take\n"
         "                          the configuration from a member, catch up, then vote;\n"
         "                          --cluster names at least one reachable member and this\n"
         "                          replica (default: off, found a cluster)\n"
         "  --listen HOST:PORT      the client HTTP/JSON endpoint (default 127.0.0.1:8001)\n"
         "  --cert-file F           serve clients HTTPS only, with this certificate (PEM)\n"
         "  --key-file F            the certificate's private key (PEM)\n"
         "  --trusted-ca-file F     verify a client certificate, if one is given, against this\n"
         "                          CA (PEM)\n"
         "  --client-cert-auth      require a client certificate signed by --trusted-ca-file\n"
         "                          (default: off)\n"
         "  --peer-listen HOST:PORT where to accept other replicas' connections\n"
         "                          (default: this replica's address in --cluster)\n"
         "  --peer-cert-file F --peer-key-file F --peer-trusted-ca-file F\n"
         "                          mutual TLS between replicas (all three, on every replica):\n"
         "                          this replica's certificate and key (PEM), and the CA a\n"
         "                          peer's certificate must be signed by; a connection without\n"
         "                          one is refused at the handshake. SIGHUP re-reads the files\n"
         "  --cluster-name NAME     a data dir serves only the cluster it was made for\n"
         "                          (default " +
         defaults.cluster_name +
         ")\n"
         "  --max-value-bytes N     largest value accepted (default " +
         std::to_string(defaults.max_value_bytes) +
         ")\n"
         "  --request-timeout D     a request that cannot reach a majority by then gets 503\n"
         "                          (default 5s; D is like 500ms, 5s, 1m)\n"
         "  --disk-reserve-bytes N  client writes get 507 while the data dir's file system has\n"
         "                          less than N bytes free; 0: never (default " +
         std::to_string(defaults.disk_reserve_bytes) +
         ")\n"
         "  --allow-after-disk-failure\n"
         "                          start although a write to the data dir failed before (the\n"
         "                          replica then stopped and left DISK_WRITE_FAILED there,\n"
         "                          which this removes); without it such a start exits with 2\n"
         "  --auth-root-token-file F\n"
         "                          turn authentication on: F holds the root token, an admin\n"
         "                          for all keys (trailing whitespace ignored; give every\n"
         "                          replica the same file); then /v1/ requests need\n"
         "                          'Authorization: Bearer TOKEN' (default: off)\n"
         "  --log-level LEVEL       trace, debug, info, warn, error or off (default info)\n"
         "  --help                  this text\n"
         "  --version               the version\n";
}

CommandLine parse_command_line(const std::vector<std::string>& args) {
  CommandLine line;
  Options& options = line.options;
  bool have_id = false;
  const std::map<std::string, std::function<void(const std::string&)>> flags = {
      {"--id",
       [&](const std::string& v) {
         const std::uint64_t id = parse_number("--id", v);
         if (id == 0 || id > 0xFFFFFFFFu) throw std::invalid_argument("--id: 1 to 2^32-1");
         options.id = static_cast<std::uint32_t>(id);
         have_id = true;
       }},
      {"--data-dir", [&](const std::string& v) { options.data_dir = v; }},
      {"--listen", [&](const std::string& v) { line.listen = v; }},
      {"--cert-file", [&](const std::string& v) { line.client_tls.cert_file = v; }},
      {"--key-file", [&](const std::string& v) { line.client_tls.key_file = v; }},
      {"--trusted-ca-file", [&](const std::string& v) { line.client_tls.trusted_ca_file = v; }},
      {"--peer-listen", [&](const std::string& v) { options.peer_listen = v; }},
      {"--peer-cert-file", [&](const std::string& v) { options.peer_tls.cert_file = v; }},
      {"--peer-key-file", [&](const std::string& v) { options.peer_tls.key_file = v; }},
      {"--peer-trusted-ca-file",
       [&](const std::string& v) { options.peer_tls.trusted_ca_file = v; }},
      {"--cluster", [&](const std::string& v) { options.cluster = parse_cluster(v); }},
      {"--cluster-name", [&](const std::string& v) { options.cluster_name = v; }},
      {"--max-value-bytes",
       [&](const std::string& v) {
         options.max_value_bytes = parse_number("--max-value-bytes", v);
         if (options.max_value_bytes == 0 || options.max_value_bytes > (64u << 20)) {
           throw std::invalid_argument("--max-value-bytes: 1 to 67108864");
         }
       }},
      {"--request-timeout",
       [&](const std::string& v) {
         options.request_timeout = parse_duration("--request-timeout", v);
       }},
      {"--disk-reserve-bytes",
       [&](const std::string& v) {
         options.disk_reserve_bytes = parse_number("--disk-reserve-bytes", v);
       }},
      {"--log-level", [&](const std::string& v) { line.log_level = v; }},
      {"--auth-root-token-file",
       [&](const std::string& v) { line.auth_root_token = read_root_token(v); }},
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    if (flag == "--help" || flag == "-h") {
      line.help = true;
      return line;
    }
    if (flag == "--version") {
      line.version = true;
      return line;
    }
    if (flag == "--allow-after-disk-failure") {
      options.allow_after_disk_failure = true;
      continue;
    }
    if (flag == "--client-cert-auth") {
      line.client_tls.client_cert_auth = true;
      continue;
    }
    if (flag == "--join") {
      options.join = true;
      continue;
    }
    std::string value;
    const std::size_t equals = flag.find('=');
    if (flag.starts_with("--") && equals != std::string::npos) {
      value = flag.substr(equals + 1);
      flag = flag.substr(0, equals);
    } else {
      if (i + 1 >= args.size()) throw std::invalid_argument(flag + ": needs a value");
      value = args[++i];
    }
    auto it = flags.find(flag);
    if (it == flags.end()) throw std::invalid_argument("unknown flag " + flag);
    it->second(value);
  }
  if (!have_id) throw std::invalid_argument("--id is required");
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

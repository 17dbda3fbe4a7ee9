// paxoskv's flags from the environment and from a TOML --config-file, and which wins.
#include "src/server/config_sources.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "src/server/command_line.h"
#include "tests/server/founding_args.h"

namespace paxoskv {
namespace {

using namespace std::chrono_literals;

// An environment of just these variables.
EnvironmentLookup environment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

const EnvironmentLookup no_environment = environment({});

// A config file in a temporary directory, removed with it.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& contents) {
    std::string pattern = (std::filesystem::temp_directory_path() / "paxoskv-cfg-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
    std::ofstream(path()) << contents;
  }
  ConfigFile(const ConfigFile&) = delete;
  ConfigFile& operator=(const ConfigFile&) = delete;
  ~ConfigFile() { std::filesystem::remove_all(dir_); }

  std::string path() const { return (dir_ / "paxoskv.toml").string(); }

 private:
  std::filesystem::path dir_;
};

using server_test::founding;
using server_test::with;

}  // namespace

TEST_CASE("config: environment variable names", "[server][config]") {
  CHECK(environment_name("request-timeout") == "PAXOSKV_REQUEST_TIMEOUT");
  CHECK(environment_name("id") == "PAXOSKV_ID");
  CHECK(environment_name("client-cert-auth") == "PAXOSKV_CLIENT_CERT_AUTH");
}

TEST_CASE("config: every flag can come from the environment", "[server][config]") {
  const CommandLine line =
      parse_command_line({}, environment({{"PAXOSKV_ID", "2"},
                                          {"PAXOSKV_DATA_DIR", "/tmp/d2"},
                                          {"PAXOSKV_CLUSTER", "1=127.0.0.1:9001,2=127.0.0.1:9002"},
                                          {"PAXOSKV_LISTEN", "127.0.0.1:8002"},
                                          {"PAXOSKV_REQUEST_TIMEOUT", "1h"},
                                          {"PAXOSKV_MAX_VALUE_BYTES", "1000"},
                                          {"PAXOSKV_JOIN", "true"},
                                          {"PAXOSKV_CERT_FILE", "c.pem"},
                                          {"PAXOSKV_KEY_FILE", "c.key"},
                                          {"PAXOSKV_TRUSTED_CA_FILE", "ca.pem"},
                                          {"PAXOSKV_CLIENT_CERT_AUTH", "1"},
                                          {"PAXOSKV_LOG_LEVEL", "debug"},
                                          {"PAXOSKV_LOG_FORMAT", "json"},
                                          {"PAXOSKV_UNRELATED", "ignored"}}));
  CHECK(line.options.id == 2);
  CHECK(line.options.data_dir == "/tmp/d2");
  CHECK(line.options.cluster.size() == 2);
  CHECK(line.listen == "127.0.0.1:8002");
  CHECK(line.options.request_timeout == 1h);
  CHECK(line.options.max_value_bytes == 1000);
  CHECK(line.options.join);
  CHECK(line.client_tls.client_cert_auth);
  CHECK(line.log_level == "debug");
  CHECK(line.log_format == LogFormat::kJson);
}

TEST_CASE("config: an empty or false environment variable leaves the default", "[server][config]") {
  const CommandLine line = parse_command_line(
      founding, environment({{"PAXOSKV_LISTEN", ""}, {"PAXOSKV_JOIN", "false"}}));
  CHECK(line.listen == "127.0.0.1:8001");
  CHECK_FALSE(line.options.join);
}

TEST_CASE("config: every flag can come from a TOML file", "[server][config]") {
  const ConfigFile file(R"(# a replica of the test cluster
id = 3
data-dir = "/var/lib/paxoskv"
cluster = "1=127.0.0.1:9001,2=127.0.0.1:9002,3=127.0.0.1:9003"
listen = '127.0.0.1:8003'   # single quotes too
max-value-bytes = 1000
request-timeout = "1m30s"
join = true
cert-file = "c.pem"
key-file = "c.key"
trusted-ca-file = "ca.pem"
client-cert-auth = true
cluster-name = "orders"
log-format = "json"
)");
  const CommandLine line = parse_command_line({"--config-file", file.path()}, no_environment);
  CHECK(line.options.id == 3);
  CHECK(line.options.data_dir == "/var/lib/paxoskv");
  CHECK(line.options.cluster.size() == 3);
  CHECK(line.listen == "127.0.0.1:8003");
  CHECK(line.options.max_value_bytes == 1000);
  CHECK(line.options.request_timeout == 90s);
  CHECK(line.options.join);
  CHECK(line.client_tls.client_cert_auth);
  CHECK(line.options.cluster_name == "orders");
  CHECK(line.log_format == LogFormat::kJson);
}

TEST_CASE("config: --config-file itself can come from the environment", "[server][config]") {
  const ConfigFile file("max-value-bytes = 1000\n");
  const CommandLine line =
      parse_command_line(founding, environment({{"PAXOSKV_CONFIG_FILE", file.path()}}));
  CHECK(line.options.max_value_bytes == 1000);
}

TEST_CASE("config: the command line wins over the environment, the environment over the file",
          "[server][config]") {
  const ConfigFile file(R"(
request-timeout = "3s"
max-value-bytes = 3000
cluster-name = "from-file"
join = true
)");
  const auto env = environment({{"PAXOSKV_REQUEST_TIMEOUT", "2s"},
                                {"PAXOSKV_MAX_VALUE_BYTES", "2000"},
                                {"PAXOSKV_JOIN", "false"}});
  const CommandLine line = parse_command_line(
      with(founding, {"--config-file", file.path(), "--request-timeout", "1s"}), env);
  CHECK(line.options.request_timeout == 1s);        // command line over environment and file
  CHECK(line.options.max_value_bytes == 2000);      // environment over file
  CHECK(line.options.cluster_name == "from-file");  // file over the default
  CHECK_FALSE(line.options.join);                   // a switch turned off in the environment
  CHECK(parse_command_line(with(founding, {"--config-file", file.path(), "--join"}), env)
            .options.join);  // and on again on the command line
}

TEST_CASE("config: a key the file should not have is an error naming it", "[server][config]") {
  const ConfigFile typo("max-value-byte = 1000\n");
  CHECK_THROWS_WITH(
      parse_command_line(with(founding, {"--config-file", typo.path()})),
      Catch::Contains("unknown key 'max-value-byte'") && Catch::Contains(typo.path()));
  const ConfigFile table("[paxoskv]\nid = 1\n");
  CHECK_THROWS_WITH(parse_command_line(with(founding, {"--config-file", table.path()})),
                    Catch::Contains("'paxoskv"));
  const ConfigFile itself("config-file = \"/etc/other.toml\"\n");
  CHECK_THROWS_WITH(parse_command_line(with(founding, {"--config-file", itself.path()})),
                    Catch::Contains("unknown key 'config-file'"));
  const ConfigFile help("help = true\n");
  CHECK_THROWS_WITH(parse_command_line(with(founding, {"--config-file", help.path()})),
                    Catch::Contains("unknown key 'help'"));
  const ConfigFile array("cluster-name = [\"a\", \"b\"]\n");
  CHECK_THROWS_WITH(parse_command_line(with(founding, {"--config-file", array.path()})),
                    Catch::Contains("'cluster-name'"));
  const ConfigFile twice("max-value-bytes = 1\nlisten = \"a:1\"\nmax-value-bytes = 2\n");
  CHECK_THROWS_WITH(parse_command_line(with(founding, {"--config-file", twice.path()})),
                    Catch::Contains("'max-value-bytes'"));
  const ConfigFile hash("cluster-name = \"a#b\"\n");
  CHECK_THROWS_WITH(parse_command_line(with(founding, {"--config-file", hash.path()})),
                    Catch::Contains("unterminated string") && Catch::Contains("'cluster-name'"));
  CHECK_THROWS_WITH(parse_command_line(with(founding, {"--config-file", "/nonexistent/p.toml"})),
                    Catch::Contains("cannot read /nonexistent/p.toml"));
}

TEST_CASE("config: a bad value names the flag and where it came from", "[server][config]") {
  CHECK_THROWS_WITH(parse_command_line(with(founding, {"--request-timeout", "5 s"})),
                    Catch::StartsWith("--request-timeout: expected a duration"));
  CHECK_THROWS_WITH(
      parse_command_line(founding, environment({{"PAXOSKV_REQUEST_TIMEOUT", "5sec"}})),
      Catch::StartsWith("--request-timeout: expected a duration") &&
          Catch::Contains("PAXOSKV_REQUEST_TIMEOUT"));
  const ConfigFile file("request-timeout = \"soon\"\n");
  CHECK_THROWS_WITH(parse_command_line(with(founding, {"--config-file", file.path()})),
                    Catch::Contains("--request-timeout") && Catch::Contains("'soon'") &&
                        Catch::Contains(file.path()));
  CHECK_THROWS_WITH(
      parse_command_line(founding, environment({{"PAXOSKV_JOIN", "maybe"}})),
      Catch::Contains("--join: expected true or false") && Catch::Contains("PAXOSKV_JOIN"));
  CHECK_THROWS_WITH(parse_command_line(founding, environment({{"PAXOSKV_LOG_FORMAT", "xml"}})),
                    Catch::Contains("--log-format: unknown format 'xml'") &&
                        Catch::Contains("PAXOSKV_LOG_FORMAT"));
  // A bad value where a better source overrides it is not read at all.
  CHECK(parse_command_line(with(founding, {"--request-timeout", "2s"}),
                           environment({{"PAXOSKV_REQUEST_TIMEOUT", "junk"}}))
            .options.request_timeout == 2s);
}

TEST_CASE("config: --request-timeout takes the one duration syntax", "[server][config]") {
  const auto timeout = [](const std::string& text) {
    return parse_command_line(with(founding, {"--request-timeout", text}), no_environment)
        .options.request_timeout;
  };
  CHECK(timeout("1h") == 1h);
  CHECK(timeout("500ms") == 500ms);
  CHECK(timeout("5") == 5s);
  CHECK(timeout("1m30s") == 90s);
  CHECK(timeout("1.5s") == 1500ms);
  CHECK(timeout("24h") == 24h);
  CHECK_THROWS_WITH(timeout("25h"), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(timeout("0s"), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(timeout("100us"), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(timeout("1d"), Catch::Contains("expected a duration"));
}

}  // namespace paxoskv

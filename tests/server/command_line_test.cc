// The paxoskv program's command line: flags to Options.
#include "src/server/command_line.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/server/founding_args.h"

namespace paxoskv {
namespace {

using server_test::founding;
using server_test::with;

}  // namespace

TEST_CASE("command line: a replica founds unless told to join", "[server]") {
  CHECK_FALSE(parse_command_line(founding).options.join);
  const CommandLine joining = parse_command_line(with(founding, {"--join"}));
  CHECK(joining.options.join);
  CHECK(joining.options.id == 1);
  CHECK(joining.options.cluster.size() == 2);
  CHECK_THROWS_AS(parse_command_line(with(founding, {"--join=yes"})), std::invalid_argument);
}

TEST_CASE("command line: --help lists every flag", "[server]") {
  CHECK(parse_command_line({"--help"}).help);
  const std::string text = usage();
  for (const char* flag : {"--id",
                           "--data-dir",
                           "--cluster ",
                           "--join",
                           "--listen",
                           "--peer-listen",
                           "--cluster-name",
                           "--max-value-bytes",
                           "--request-timeout",
                           "--disk-reserve-bytes",
                           "--allow-after-disk-failure",
                           "--auth-root-token-file",
                           "--log-level",
                           "--log-format",
                           "--help",
                           "--version",
                           "--peer-cert-file",
                           "--peer-key-file",
                           "--peer-trusted-ca-file",
                           "--config-file",
                           "--cert-file",
                           "--key-file",
                           "--trusted-ca-file",
                           "--client-cert-auth",
                           "PAXOSKV_REQUEST_TIMEOUT"}) {
    CAPTURE(flag);
    CHECK(text.find(flag) != std::string::npos);
  }
  // Defaults are shown next to their flag.
  CHECK(text.find("--request-timeout D=5s") != std::string::npos);
  CHECK(text.find("--max-value-bytes N=1048576") != std::string::npos);
  CHECK(text.find("--listen HOST:PORT=127.0.0.1:8001") != std::string::npos);
}

TEST_CASE("command line: --log-format is text unless json is asked for", "[server]") {
  CHECK(parse_command_line(founding).log_format == LogFormat::kText);
  CHECK(parse_command_line(with(founding, {"--log-format", "json"})).log_format ==
        LogFormat::kJson);
  CHECK(parse_command_line(with(founding, {"--log-format=text"})).log_format == LogFormat::kText);
  CHECK_THROWS_AS(parse_command_line(with(founding, {"--log-format", "JSON"})),
                  std::invalid_argument);
}

TEST_CASE("command line: a flag given twice counts the last time", "[server]") {
  const CommandLine line =
      parse_command_line(with(founding, {"--request-timeout", "2s", "--request-timeout=3s"}));
  CHECK(line.options.request_timeout == std::chrono::seconds(3));
}

TEST_CASE("command line: bad flags are refused", "[server]") {
  CHECK_THROWS_AS(parse_command_line(with(founding, {"--no-such-flag"})), std::invalid_argument);
  CHECK_THROWS_AS(parse_command_line(with(founding, {"stray"})), std::invalid_argument);
  CHECK_THROWS_AS(parse_command_line(with(founding, {"--listen"})), std::invalid_argument);
  CHECK_THROWS_WITH(parse_command_line(with(founding, {"--max-value-bytes", "lots"})),
                    "--max-value-bytes: not a number: 'lots'");
  CHECK_THROWS_WITH(parse_command_line(with(founding, {"--log-level", "loud"})),
                    Catch::Contains("--log-level"));
  CHECK_THROWS_WITH(parse_command_line(with(founding, {"--log-format", "yaml"})),
                    "--log-format: unknown format 'yaml' (text or json)");
  CHECK_THROWS_WITH(parse_command_line({"--data-dir", "/tmp/d", "--cluster", "1=a:1"}),
                    Catch::Contains("--id is required"));
}

TEST_CASE("command line: --auth-root-token-file reads the root token", "[server][auth]") {
  CHECK(parse_command_line(founding).auth_root_token.empty());
  std::string dir_pattern = (std::filesystem::temp_directory_path() / "paxoskv-cl-XXXXXX").string();
  REQUIRE(::mkdtemp(dir_pattern.data()) != nullptr);
  const std::filesystem::path dir(dir_pattern);
  const auto token_file = (dir / "token").string();
  std::ofstream(token_file) << "root token  \n\t\n";
  CHECK(
      parse_command_line(with(founding, {"--auth-root-token-file", token_file})).auth_root_token ==
      "root token");
  std::ofstream(token_file, std::ios::trunc) << " \n";
  CHECK_THROWS_WITH(parse_command_line(with(founding, {"--auth-root-token-file", token_file})),
                    Catch::Contains("holds no token"));
  CHECK_THROWS_WITH(
      parse_command_line(with(founding, {"--auth-root-token-file", (dir / "missing").string()})),
      Catch::Contains("cannot read"));
  std::filesystem::remove_all(dir);
}

}  // namespace paxoskv

namespace paxoskv {

TEST_CASE("command line: peer TLS takes all three files", "[server]") {
  const CommandLine line =
      parse_command_line(with(founding, {"--peer-cert-file", "c.pem", "--peer-key-file", "c.key",
                                         "--peer-trusted-ca-file", "ca.pem"}));
  CHECK(line.options.peer_tls.cert_file == "c.pem");
  CHECK(line.options.peer_tls.key_file == "c.key");
  CHECK(line.options.peer_tls.trusted_ca_file == "ca.pem");
  CHECK_FALSE(parse_command_line(founding).options.peer_tls.enabled());
  CHECK_THROWS_AS(parse_command_line(with(founding, {"--peer-cert-file", "c.pem"})),
                  std::invalid_argument);
  CHECK_THROWS_AS(
      parse_command_line(with(founding, {"--peer-cert-file", "c.pem", "--peer-key-file", "c.key"})),
      std::invalid_argument);
  CHECK_THROWS_AS(parse_command_line(with(founding, {"--peer-trusted-ca-file", "ca.pem"})),
                  std::invalid_argument);
}

}  // namespace paxoskv

// The paxoskv program's command line: flags to Options.
#include "src/server/command_line.h"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace paxoskv {
namespace {

const std::vector<std::string> founding = {
    "--id", "1", "--data-dir", "/tmp/d", "--cluster", "1=127.0.0.1:9001,2=127.0.0.1:9002"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

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
  for (const char* flag :
       {"--id", "--data-dir", "--cluster ", "--join", "--listen", "--peer-listen", "--cluster-name",
        "--max-value-bytes", "--request-timeout", "--disk-reserve-bytes",
        "--allow-after-disk-failure", "--log-level", "--help", "--version", "--peer-cert-file",
        "--peer-key-file", "--peer-trusted-ca-file"}) {
    CAPTURE(flag);
    CHECK(text.find(flag) != std::string::npos);
  }
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

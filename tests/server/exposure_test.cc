#include "src/server/exposure.h"

#include <catch2/catch.hpp>

namespace paxoskv {
namespace {

Listeners plain(std::string client, std::string peer) {
  return Listeners{.client_listen = std::move(client),
                   .client_tls = false,
                   .client_authentication = false,
                   .peer_listen = std::move(peer),
                   .peer_tls = false};
}

bool mentions(const std::string& line, const std::string& what) {
  return line.find(what) != std::string::npos;
}

TEST_CASE("listeners on loopback addresses expose nothing", "[server]") {
  CHECK(exposure_warnings(plain("127.0.0.1:8001", "127.0.0.1:9001")).empty());
  CHECK(exposure_warnings(plain("127.0.5.1:8001", "localhost:9001")).empty());
  CHECK(exposure_warnings(plain("[::1]:8001", "[::1]:9001")).empty());
}

TEST_CASE("a listener beyond loopback is named in a warning", "[server]") {
  const auto both = exposure_warnings(plain("0.0.0.0:8001", "10.0.0.1:9001"));
  REQUIRE(both.size() == 2);
  CHECK(mentions(both[0], "0.0.0.0:8001"));
  CHECK(mentions(both[0], "read and write every key"));
  CHECK(mentions(both[1], "10.0.0.1:9001"));
  CHECK(exposure_warnings(plain("127.0.0.1:8001", "[::]:9001")).size() == 1);
  // A name may resolve to any interface.
  CHECK(exposure_warnings(plain("db.example:8001", "127.0.0.1:9001")).size() == 1);
}

TEST_CASE("TLS and authentication silence the warnings they answer", "[server]") {
  Listeners listeners = plain("0.0.0.0:8001", "0.0.0.0:9001");
  listeners.peer_tls = true;
  listeners.client_tls = true;
  listeners.client_authentication = true;
  CHECK(exposure_warnings(listeners).empty());
  // TLS without authentication: anyone can still write.
  listeners.client_authentication = false;
  auto warnings = exposure_warnings(listeners);
  REQUIRE(warnings.size() == 1);
  CHECK(mentions(warnings[0], "without authentication"));
  // Tokens without TLS: they cross the network in the clear.
  listeners.client_tls = false;
  listeners.client_authentication = true;
  warnings = exposure_warnings(listeners);
  REQUIRE(warnings.size() == 1);
  CHECK(mentions(warnings[0], "plain HTTP"));
  CHECK(mentions(warnings[0], "tokens"));
  // A plain peer listener beyond loopback is named even when clients are protected.
  listeners.client_tls = true;
  listeners.peer_tls = false;
  warnings = exposure_warnings(listeners);
  REQUIRE(warnings.size() == 1);
  CHECK(mentions(warnings[0], "peers are served on 0.0.0.0:9001"));
}

}  // namespace
}  // namespace paxoskv

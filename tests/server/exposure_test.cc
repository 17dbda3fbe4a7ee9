#include "src/server/exposure.h"

#include <catch2/catch.hpp>

namespace paxoskv {
namespace {

TEST_CASE("listeners on loopback addresses expose nothing", "[server]") {
  CHECK(plaintext_exposure_warnings("127.0.0.1:8001", "127.0.0.1:9001").empty());
  CHECK(plaintext_exposure_warnings("127.0.5.1:8001", "localhost:9001").empty());
  CHECK(plaintext_exposure_warnings("[::1]:8001", "[::1]:9001").empty());
}

TEST_CASE("a listener beyond loopback is named in a warning", "[server]") {
  const auto both = plaintext_exposure_warnings("0.0.0.0:8001", "10.0.0.1:9001");
  REQUIRE(both.size() == 2);
  CHECK(both[0].find("0.0.0.0:8001") != std::string::npos);
  CHECK(both[0].find("read and write every key") != std::string::npos);
  CHECK(both[1].find("10.0.0.1:9001") != std::string::npos);
  CHECK(plaintext_exposure_warnings("127.0.0.1:8001", "[::]:9001").size() == 1);
  // A name may resolve to any interface.
  CHECK(plaintext_exposure_warnings("db.example:8001", "127.0.0.1:9001").size() == 1);
}

}  // namespace
}  // namespace paxoskv

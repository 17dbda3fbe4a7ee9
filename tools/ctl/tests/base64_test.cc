#include "tools/ctl/base64.h"

#include <catch2/catch.hpp>

namespace paxoskv::ctl {
namespace {

using namespace std::string_literals;

TEST_CASE("base64 decodes RFC 4648's examples") {
  CHECK(base64_decode("") == "");
  CHECK(base64_decode("Zg==") == "f");
  CHECK(base64_decode("Zm8=") == "fo");
  CHECK(base64_decode("Zm9v") == "foo");
  CHECK(base64_decode("Zm9vYmFy") == "foobar");
  CHECK(base64_decode("/wAB+g==") == "\xFF\x00\x01\xFA"s);
}

TEST_CASE("base64 refuses what is not") {
  CHECK_FALSE(base64_decode("Zg="));
  CHECK_FALSE(base64_decode("Z==="));
  CHECK_FALSE(base64_decode("Zg==Zg=="));
  CHECK_FALSE(base64_decode("Zm9*"));
  CHECK_FALSE(base64_decode("=Zm9"));
}

}  // namespace
}  // namespace paxoskv::ctl

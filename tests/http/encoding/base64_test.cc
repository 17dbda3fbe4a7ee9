#include "http/encoding/base64.h"

#include <catch2/catch.hpp>

namespace paxoskv::http {
namespace {

using namespace std::string_literals;

TEST_CASE("base64 encodes RFC 4648's examples", "[http][encoding]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode("\xff\xfe\xfd\x00"s) == "//79AA==");
}

TEST_CASE("base64 appends to what is there", "[http][encoding]") {
  std::string out = "x";
  append_base64(out, "fo");
  CHECK(out == "xZm8=");
}

TEST_CASE("base64 decodes RFC 4648's examples", "[http][encoding]") {
  CHECK(base64_decode("") == "");
  CHECK(base64_decode("Zg==") == "f");
  CHECK(base64_decode("Zm8=") == "fo");
  CHECK(base64_decode("Zm9v") == "foo");
  CHECK(base64_decode("Zm9vYmFy") == "foobar");
  CHECK(base64_decode("/wAB+g==") == "\xFF\x00\x01\xFA"s);
}

TEST_CASE("base64 refuses what is not", "[http][encoding]") {
  CHECK_FALSE(base64_decode("Zg="));
  CHECK_FALSE(base64_decode("Z==="));
  CHECK_FALSE(base64_decode("Zg==Zg=="));
  CHECK_FALSE(base64_decode("Zm9*"));
  CHECK_FALSE(base64_decode("=Zm9"));
  CHECK_FALSE(base64_decode("Zg=A"));
}

TEST_CASE("base64 decodes what it encodes, every byte", "[http][encoding]") {
  std::string bytes;
  for (int byte = 0; byte < 256; ++byte) bytes += static_cast<char>(byte);
  for (std::size_t size = 0; size <= bytes.size(); size += 37) {
    CHECK(base64_decode(base64_encode(bytes.substr(0, size))) == bytes.substr(0, size));
  }
}

}  // namespace
}  // namespace paxoskv::http

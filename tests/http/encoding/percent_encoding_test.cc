#include "http/encoding/percent_encoding.h"

#include <catch2/catch.hpp>

namespace paxoskv::http {
namespace {

using namespace std::string_literals;

TEST_CASE("percent-encoding keeps unreserved bytes and escapes the rest", "[http][encoding]") {
  CHECK(percent_encode("A-z_0.9~", Slashes::escaped) == "A-z_0.9~");
  CHECK(percent_encode("a b+c", Slashes::escaped) == "a%20b%2Bc");
  CHECK(percent_encode("%=&?#", Slashes::escaped) == "%25%3D%26%3F%23");
  CHECK(percent_encode("caf\xC3\xA9\xFF\x01"s, Slashes::escaped) == "caf%C3%A9%FF%01");
  CHECK(percent_encode("a\0b"s, Slashes::escaped) == "a%00b");
}

TEST_CASE("percent-encoding keeps slashes only when asked", "[http][encoding]") {
  CHECK(percent_encode("a/b", Slashes::kept) == "a/b");
  CHECK(percent_encode("a/b", Slashes::escaped) == "a%2Fb");
  std::string out = "/v1/kv/";
  append_percent_encoded(out, "x y/z", Slashes::kept);
  CHECK(out == "/v1/kv/x%20y/z");
}

TEST_CASE("percent-decoding is strict about escapes only", "[http][encoding]") {
  CHECK(percent_decode("a%20b") == "a b");
  CHECK(percent_decode("%e2%9c%93") == "\xe2\x9c\x93");
  CHECK(percent_decode("a+b") == "a+b");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("a{b}|\"") == "a{b}|\"");
  CHECK(percent_decode("%00") == std::string(1, '\0'));
  CHECK_FALSE(percent_decode("%"));
  CHECK_FALSE(percent_decode("%4"));
  CHECK_FALSE(percent_decode("%4g"));
  CHECK_FALSE(percent_decode("abc%zz"));
}

TEST_CASE("percent-decoding reverses the encoding, every byte", "[http][encoding]") {
  std::string bytes;
  for (int byte = 0; byte < 256; ++byte) bytes += static_cast<char>(byte);
  CHECK(percent_decode(percent_encode(bytes, Slashes::kept)) == bytes);
  CHECK(percent_decode(percent_encode(bytes, Slashes::escaped), true) == bytes);
}

}  // namespace
}  // namespace paxoskv::http

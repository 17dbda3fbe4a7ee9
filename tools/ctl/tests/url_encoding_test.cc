#include "tools/ctl/url_encoding.h"

#include <catch2/catch.hpp>

#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {
namespace {

using namespace std::string_literals;

TEST_CASE("a key's slashes stay, unreserved bytes stay") {
  CHECK(key_target("config/app/db") == "/v1/kv/config/app/db");
  CHECK(key_target("/lead//double/") == "/v1/kv//lead//double/");
  CHECK(key_target("A-z_0.9~") == "/v1/kv/A-z_0.9~");
}

TEST_CASE("everything else is percent-encoded") {
  CHECK(key_target("a b") == "/v1/kv/a%20b");
  CHECK(key_target("100%") == "/v1/kv/100%25");
  CHECK(key_target("a+b") == "/v1/kv/a%2Bb");
  CHECK(key_target("q?x=1&y#z") == "/v1/kv/q%3Fx%3D1%26y%23z");
  CHECK(key_target("tab\there\n") == "/v1/kv/tab%09here%0A");
  CHECK(key_target("..") == "/v1/kv/..");
}

TEST_CASE("UTF-8 and binary keys, byte for byte") {
  CHECK(key_target("caf\xC3\xA9") == "/v1/kv/caf%C3%A9");
  CHECK(key_target("\xFF\x80\x01") == "/v1/kv/%FF%80%01");
}

TEST_CASE("an empty key or one with NUL is refused") {
  CHECK_THROWS_AS(key_target(""), UsageError);
  CHECK_THROWS_AS(key_target("a\0b"s), UsageError);
}

TEST_CASE("query parameters") {
  CHECK(key_target("k", {{"raw", ""}}) == "/v1/kv/k?raw");
  CHECK(key_target("k", {{"wait", "3"}, {"timeout", "30s"}}) == "/v1/kv/k?wait=3&timeout=30s");
  CHECK(collection_target({}) == "/v1/kv");
  CHECK(collection_target({{"prefix", "a b+c/&d"}, {"limit", "10"}}) ==
        "/v1/kv?prefix=a%20b%2Bc/%26d&limit=10");
  CHECK(collection_target({{"prefix", ""}, {"after", "\xFF"}}) == "/v1/kv?prefix&after=%FF");
  CHECK(encode_query_value("%=") == "%25%3D");
}

}  // namespace
}  // namespace paxoskv::ctl

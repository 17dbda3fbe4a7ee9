#include "http/client/targets.h"

#include <catch2/catch.hpp>

namespace paxoskv::http::client {
namespace {

TEST_CASE("a key's slashes stay, unreserved bytes stay", "[http][client]") {
  CHECK(key_target("config/app/db") == "/v1/kv/config/app/db");
  CHECK(key_target("/lead//double/") == "/v1/kv//lead//double/");
  CHECK(key_target("A-z_0.9~") == "/v1/kv/A-z_0.9~");
}

TEST_CASE("everything else is percent-encoded", "[http][client]") {
  CHECK(key_target("a b") == "/v1/kv/a%20b");
  CHECK(key_target("100%") == "/v1/kv/100%25");
  CHECK(key_target("a+b") == "/v1/kv/a%2Bb");
  CHECK(key_target("q?x=1&y#z") == "/v1/kv/q%3Fx%3D1%26y%23z");
  CHECK(key_target("tab\there\n") == "/v1/kv/tab%09here%0A");
  CHECK(key_target("..") == "/v1/kv/..");
}

TEST_CASE("UTF-8 and binary keys, byte for byte", "[http][client]") {
  CHECK(key_target("caf\xC3\xA9") == "/v1/kv/caf%C3%A9");
  CHECK(key_target("\xFF\x80\x01") == "/v1/kv/%FF%80%01");
}

TEST_CASE("a write's condition", "[http][client]") {
  CHECK(key_target("k", cas_query(std::nullopt)) == "/v1/kv/k");
  CHECK(key_target("k", cas_query(0)) == "/v1/kv/k?cas=0");
  CHECK(key_target("k", cas_query(7)) == "/v1/kv/k?cas=7");
}

TEST_CASE("query parameters", "[http][client]") {
  CHECK(key_target("k", {{"raw", ""}}) == "/v1/kv/k?raw");
  CHECK(key_target("k", {{"wait", "3"}, {"timeout", "30s"}}) == "/v1/kv/k?wait=3&timeout=30s");
  CHECK(collection_target({}) == "/v1/kv");
  CHECK(collection_target({{"prefix", "a b+c/&d"}, {"limit", "10"}}) ==
        "/v1/kv?prefix=a%20b%2Bc/%26d&limit=10");
  CHECK(collection_target({{"prefix", ""}, {"after", "\xFF"}}) == "/v1/kv?prefix&after=%FF");
  CHECK(collection_target({{"%=", "%="}}) == "/v1/kv?%25%3D=%25%3D");
}

}  // namespace
}  // namespace paxoskv::http::client

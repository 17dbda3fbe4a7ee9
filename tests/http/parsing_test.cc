// The pure parsers under the router: targets, keys, query parameters, UTF-8 validation.
// (Base64 and percent-encoding: tests/http/encoding.)
#include <catch2/catch.hpp>
#include <string>

#include "http/key_path.h"
#include "http/query_params.h"
#include "http/request_error.h"
#include "http/target.h"
#include "http/utf8.h"

namespace paxoskv::http {
namespace {

using boost::beast::http::status;

status refusal_status(auto&& action) {
  try {
    action();
  } catch (const RequestError& error) {
    return error.status();
  }
  FAIL("no RequestError thrown");
  return status::ok;
}

}  // namespace

TEST_CASE("targets split into path and query", "[http][parsing]") {
  auto plain = split_target("/v1/kv/a?b=c&d");
  REQUIRE(plain);
  CHECK(plain->path == "/v1/kv/a");
  CHECK(plain->query == "b=c&d");

  auto no_query = split_target("/healthz");
  REQUIRE(no_query);
  CHECK(no_query->query.empty());

  auto absolute = split_target("http://example.com:8001/v1/kv/x%20y?raw");
  REQUIRE(absolute);
  CHECK(absolute->path == "/v1/kv/x%20y");
  CHECK(absolute->query == "raw");

  CHECK_FALSE(split_target("*"));
  CHECK_FALSE(split_target("example.com:80"));
  CHECK_FALSE(split_target(""));
  CHECK_FALSE(split_target("ftp://example.com/v1/kv/a"));
}

TEST_CASE("keys from paths", "[http][parsing]") {
  CHECK(key_from_path("/v1/kv/config/app/db", 1024) == "config/app/db");
  CHECK(key_from_path("/v1/kv/a%2Fb", 1024) == "a/b");
  CHECK(key_from_path("/v1/kv/abc", 3) == "abc");
  CHECK(refusal_status([] { key_from_path("/v1/kv/abcd", 3); }) == status::payload_too_large);
  CHECK(refusal_status([] { key_from_path("/v1/kv/", 3); }) == status::bad_request);
  CHECK(refusal_status([] { key_from_path("/v1/kv/a%00", 3); }) == status::bad_request);
  CHECK(refusal_status([] { key_from_path("/v1/kv/%x", 3); }) == status::bad_request);
  CHECK(refusal_status([] { check_key_bound("prefix", std::string(1, '\0'), 8); }) ==
        status::bad_request);
  CHECK(refusal_status([] { check_key_bound("prefix", "123456789", 8); }) == status::bad_request);
  check_key_bound("prefix", "", 8);
}

TEST_CASE("decimal numbers", "[http][parsing]") {
  CHECK(parse_decimal_u64("0") == 0u);
  CHECK(parse_decimal_u64("007") == 7u);
  CHECK(parse_decimal_u64("18446744073709551615") == 18446744073709551615u);
  for (const char* bad : {"", "-1", "+1", "1x", " 1", "1 ", "18446744073709551616",
                          "99999999999999999999", "1e3", "0x10"}) {
    INFO(bad);
    CHECK_FALSE(parse_decimal_u64(bad));
  }
}

TEST_CASE("query parameters", "[http][parsing]") {
  const QueryParams params("prefix=a+b%2Fc&raw&limit=10&empty=&timeout=2m");
  CHECK(params.text("prefix") == "a b/c");
  CHECK(params.contains("raw"));
  CHECK(params.flag("raw"));
  CHECK_FALSE(params.flag("absent"));
  CHECK(params.number("limit") == 10u);
  CHECK_FALSE(params.number("absent"));
  CHECK(params.text("empty") == "");
  CHECK(params.duration("timeout", std::chrono::minutes(5)) == std::chrono::minutes(2));
  CHECK(params.duration("timeout", std::chrono::minutes(1)) == std::chrono::minutes(1));
  CHECK(refusal_status([&] { params.number("prefix"); }) == status::bad_request);
  CHECK(refusal_status([&] { params.flag("limit"); }) == status::bad_request);
  CHECK(refusal_status([] { QueryParams("a=1&a=2"); }) == status::bad_request);
  CHECK(refusal_status([] { QueryParams("a=%zz"); }) == status::bad_request);
  CHECK(refusal_status([] { QueryParams("%zz=1"); }) == status::bad_request);
  CHECK(QueryParams("&&a=1&").number("a") == 1u);
}

TEST_CASE("UTF-8 validation is strict", "[http][parsing]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8(std::string("with\0nul", 8)));
  CHECK(is_valid_utf8("\xc2\xa9"));                // U+00A9
  CHECK(is_valid_utf8("\xe2\x82\xac"));            // U+20AC
  CHECK(is_valid_utf8("\xed\x9f\xbf"));            // U+D7FF, just below the surrogates
  CHECK(is_valid_utf8("\xee\x80\x80"));            // U+E000, just above
  CHECK(is_valid_utf8("\xf0\x9f\x90\xa2"));        // U+1F422
  CHECK(is_valid_utf8("\xf4\x8f\xbf\xbf"));        // U+10FFFF
  CHECK_FALSE(is_valid_utf8("\x80"));              // stray continuation
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xc1\xbf"));          // overlong
  CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong
  CHECK_FALSE(is_valid_utf8("\xf0\x80\x80\xaf"));  // overlong
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // U+D800 surrogate
  CHECK_FALSE(is_valid_utf8("\xed\xbf\xbf"));      // U+DFFF surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // U+110000
  CHECK_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xf8\x88\x80\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\xe2\x82"));   // truncated
  CHECK_FALSE(is_valid_utf8("\xe2\x82x"));  // bad continuation
  CHECK_FALSE(is_valid_utf8("ok\xc2"));
}

}  // namespace paxoskv::http

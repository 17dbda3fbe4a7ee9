// Attacks on the Router's access rules: long polls that outlive their token, and the
// path, query and header tricks that must not widen what a token reaches.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/http/auth_fixture.h"

namespace paxoskv::http {
namespace {

using nlohmann::json;
using testing::AuthFixture;
using testing::read_token;
using testing::root_token;

const std::string read_bearer = "Bearer " + std::string(read_token);

// Long polls are accepted while their token holds; the token is revoked; a value written
// after the revocation must not reach the revoked token's holder when the polls answer.
TEST_CASE_METHOD(AuthFixture, "auth adversary: a long poll does not outlive its token",
                 "[http][router][auth][adversary]") {
  const Pending key_poll = send(verb::get, "/v1/kv/app/a?wait=1", {read_bearer});
  // A long poll by a percent-encoded name, which the route's label does not see.
  const Pending encoded_poll = send(verb::get, "/v1/kv/app/a?wai%74=1", {read_bearer});
  const Pending prefix_poll =
      send(verb::get, "/v1/kv?prefix=app/&wait=" + std::to_string(backend.index()), {read_bearer});
  REQUIRE_FALSE(key_poll->has_value());
  REQUIRE_FALSE(encoded_poll->has_value());
  REQUIRE_FALSE(prefix_poll->has_value());

  REQUIRE(call(verb::delete_, "/v1/auth/tokens/reader", root_token).result() == status::ok);
  REQUIRE(call(verb::get, "/v1/kv/app/a", read_token).result() == status::unauthorized);
  REQUIRE(call(verb::put, "/v1/kv/app/a", root_token, "written after the revocation").result() ==
          status::ok);

  for (const Pending& poll : {key_poll, encoded_poll, prefix_poll}) {
    REQUIRE(poll->has_value());
    CHECK((*poll)->body().find("written after the revocation") == std::string::npos);
    CHECK((*poll)->result() == status::unauthorized);
  }
}

// What holds: tricks on the path, the query and the header reach nothing more.
TEST_CASE_METHOD(AuthFixture, "auth adversary: encodings, schemes and headers widen nothing",
                 "[http][router][auth][adversary]") {
  auto result_of = [&](verb method, const std::string& target, const std::string& authorization) {
    const Pending response = send(method, target, {authorization});
    REQUIRE(response->has_value());
    return (*response)->result();
  };
  // The key is checked after percent-decoding, byte for byte, with no path normalisation.
  CHECK(result_of(verb::get, "/v1/kv/app%2Fa", read_bearer) == status::ok);
  CHECK(result_of(verb::get, "/v1/kv/app/../other", read_bearer) == status::not_found);
  CHECK(result_of(verb::get, "/v1/kv/%6Fther", read_bearer) == status::forbidden);
  CHECK(result_of(verb::get, "/v1/kv/app%00/a", read_bearer) == status::bad_request);
  CHECK(result_of(verb::get, "/v1/kv//app/a", read_bearer) == status::forbidden);
  CHECK(result_of(verb::get, "//v1/kv/other", read_bearer) == status::not_found);
  CHECK(result_of(verb::get, "/v1/kv/", read_bearer) == status::bad_request);
  CHECK(result_of(verb::get, "http://h/v1/kv/other", read_bearer) == status::forbidden);
  CHECK(result_of(verb::head, "/v1/kv/other", read_bearer) == status::forbidden);
  CHECK(result_of(verb::get, "/v1/kv/other?prefix=app/", read_bearer) == status::forbidden);
  // Listings: `after` outside the prefix, a prefix given twice, a NUL in the prefix.
  auto keys_of = [&](const std::string& target) {
    const Pending response = send(verb::get, target, {read_bearer});
    REQUIRE(response->has_value());
    REQUIRE((*response)->result() == status::ok);
    const json listing = json::parse((*response)->body());
    std::vector<std::string> keys;
    for (const auto& item : listing["items"]) keys.push_back(item["key"]);
    return keys;
  };
  CHECK(keys_of("/v1/kv?after=a") == std::vector<std::string>{"app/a", "app/b"});
  CHECK(keys_of("/v1/kv?prefix=app/&after=zzz").empty());
  CHECK(result_of(verb::get, "/v1/kv?prefix=app/&prefix=other", read_bearer) ==
        status::bad_request);
  CHECK(result_of(verb::get, "/v1/kv?prefix=%00", read_bearer) == status::bad_request);
  // Schemes and headers: a case-insensitive "Bearer", nothing else.
  CHECK(result_of(verb::get, "/v1/kv/app/a", "bEaReR " + std::string(read_token)) == status::ok);
  CHECK(result_of(verb::get, "/v1/kv/app/a", "Basic " + std::string(read_token)) ==
        status::unauthorized);
  CHECK(result_of(verb::get, "/v1/kv/app/a", std::string(read_token)) == status::unauthorized);
  CHECK(result_of(verb::get, "/v1/kv/app/a", "Bearer") == status::unauthorized);
  CHECK(result_of(verb::get, "/v1/kv/app/a", "Bearer ") == status::unauthorized);
  CHECK(result_of(verb::get, "/v1/kv/app/a", read_bearer + "x") == status::unauthorized);
  // Two Authorization headers: the first decides; the root's second gains nothing.
  const Pending twice =
      send(verb::put, "/v1/kv/other", {read_bearer, "Bearer " + std::string(root_token)}, "y");
  REQUIRE(twice->has_value());
  CHECK((*twice)->result() == status::forbidden);
  // A reserved key is no client's, and a token's name is no path.
  const std::string root_bearer = "Bearer " + std::string(root_token);
  CHECK(result_of(verb::get, "/v1/kv/%00auth/token/reader", root_bearer) == status::bad_request);
  CHECK(result_of(verb::delete_, "/v1/auth/tokens/..%2Freader", root_bearer) ==
        status::bad_request);
}

}  // namespace
}  // namespace paxoskv::http

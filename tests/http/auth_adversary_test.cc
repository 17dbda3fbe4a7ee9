// Attacks on the Router's access rules: long polls that outlive their token, and the
// path and header tricks that must not widen what a token reaches.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "http/router.h"
#include "src/auth/token_secret.h"
#include "tests/http/fake_backend.h"

namespace paxoskv::http {
namespace {

using boost::beast::http::field;
using boost::beast::http::status;
using boost::beast::http::verb;
using nlohmann::json;
using testing::FakeBackend;

constexpr std::string_view root_token = "root-secret";
constexpr std::string_view read_token = "pkv_read-app";

class Adversary {
 public:
  Adversary() {
    backend.add_token("reader", Role::read, "app/", std::string(read_token));
    REQUIRE(
        now(send(verb::put, "/v1/kv/app/a", "Bearer " + std::string(root_token), "one")).result() ==
        status::ok);
    REQUIRE(
        now(send(verb::put, "/v1/kv/other", "Bearer " + std::string(root_token), "x")).result() ==
        status::ok);
  }

  // The answer so far (none while a long poll waits); `authorization` empty: no header.
  std::shared_ptr<std::optional<Response>> send(verb method, std::string target,
                                                const std::string& authorization,
                                                std::string body = {}) {
    Request request{method, target, 11};
    if (!authorization.empty()) request.set(field::authorization, authorization);
    request.body() = std::move(body);
    request.prepare_payload();
    auto response = std::make_shared<std::optional<Response>>();
    router.handle(std::move(request), [response](Router::Answer answer) { *response = answer(); });
    return response;
  }

  static Response now(const std::shared_ptr<std::optional<Response>>& response) {
    REQUIRE(response->has_value());
    return **response;
  }

  Response as_root(verb method, std::string target, std::string body = {}) {
    return now(
        send(method, std::move(target), "Bearer " + std::string(root_token), std::move(body)));
  }

  FakeBackend backend;
  HttpMetrics metrics;
  Router router{backend, ServerLimits{}, metrics,
                AccessControl{auth::digest_of(std::string(root_token))}};
};

// A long poll is accepted while its token holds; the token is revoked; a value written
// after the revocation must not reach the revoked token's holder when the poll answers.
TEST_CASE_METHOD(Adversary, "auth adversary: a long poll does not outlive its token's revocation",
                 "[http][router][auth][adversary]") {
  const std::string bearer = "Bearer " + std::string(read_token);
  auto key_poll = send(verb::get, "/v1/kv/app/a?wait=1", bearer);
  // A long poll by a percent-encoded name, which the route's label does not see.
  auto encoded_poll = send(verb::get, "/v1/kv/app/a?wai%74=1", bearer);
  REQUIRE_FALSE(encoded_poll->has_value());
  auto prefix_poll =
      send(verb::get, "/v1/kv?prefix=app/&wait=" + std::to_string(backend.index()), bearer);
  REQUIRE_FALSE(key_poll->has_value());
  REQUIRE_FALSE(prefix_poll->has_value());

  REQUIRE(as_root(verb::delete_, "/v1/auth/tokens/reader").result() == status::ok);
  REQUIRE(now(send(verb::get, "/v1/kv/app/a", bearer)).result() == status::unauthorized);
  REQUIRE(as_root(verb::put, "/v1/kv/app/a", "written after the revocation").result() ==
          status::ok);

  REQUIRE(key_poll->has_value());
  REQUIRE(prefix_poll->has_value());
  CHECK((*key_poll)->body().find("written after the revocation") == std::string::npos);
  CHECK((*key_poll)->result() == status::unauthorized);
  REQUIRE(encoded_poll->has_value());
  CHECK((*encoded_poll)->body().find("written after the revocation") == std::string::npos);
  CHECK((*encoded_poll)->result() == status::unauthorized);
  CHECK((*prefix_poll)->body().find("written after the revocation") == std::string::npos);
  CHECK((*prefix_poll)->result() == status::unauthorized);
}

// What holds: tricks on the path, the query and the header reach nothing more.
TEST_CASE_METHOD(Adversary, "auth adversary: encodings, schemes and headers widen nothing",
                 "[http][router][auth][adversary]") {
  const std::string bearer = "Bearer " + std::string(read_token);
  auto result_of = [&](verb method, const std::string& target, const std::string& auth) {
    return now(send(method, target, auth)).result();
  };
  // The key is checked after percent-decoding, byte for byte, with no path normalisation.
  CHECK(result_of(verb::get, "/v1/kv/app%2Fa", bearer) == status::ok);
  CHECK(result_of(verb::get, "/v1/kv/app/../other", bearer) == status::not_found);
  CHECK(result_of(verb::get, "/v1/kv/%6Fther", bearer) == status::forbidden);
  CHECK(result_of(verb::get, "/v1/kv/app%00/a", bearer) == status::bad_request);
  CHECK(result_of(verb::get, "/v1/kv//app/a", bearer) == status::forbidden);
  CHECK(result_of(verb::get, "//v1/kv/other", bearer) == status::not_found);
  CHECK(result_of(verb::get, "/v1/kv/", bearer) == status::bad_request);
  CHECK(result_of(verb::get, "http://h/v1/kv/other", bearer) == status::forbidden);
  CHECK(result_of(verb::head, "/v1/kv/other", bearer) == status::forbidden);
  CHECK(result_of(verb::get, "/v1/kv/other?prefix=app/", bearer) == status::forbidden);
  // Listings: `after` outside the prefix, a NUL in the prefix, a prefix given twice.
  const json listed = json::parse(now(send(verb::get, "/v1/kv?after=a", bearer)).body());
  REQUIRE(listed["items"].size() == 1);
  CHECK(listed["items"][0]["key"] == "app/a");
  CHECK(json::parse(now(send(verb::get, "/v1/kv?prefix=app/&after=zzz", bearer)).body())["items"]
            .empty());
  CHECK(result_of(verb::get, "/v1/kv?prefix=%00", bearer) == status::bad_request);
  const auto twice = now(send(verb::get, "/v1/kv?prefix=app/&prefix=other", bearer));
  CHECK(twice.body().find("\"other\"") == std::string::npos);
  // Schemes and headers: case-insensitive "Bearer", nothing else.
  CHECK(result_of(verb::get, "/v1/kv/app/a", "bEaReR " + std::string(read_token)) == status::ok);
  CHECK(result_of(verb::get, "/v1/kv/app/a", "Basic " + std::string(read_token)) ==
        status::unauthorized);
  CHECK(result_of(verb::get, "/v1/kv/app/a", std::string(read_token)) == status::unauthorized);
  CHECK(result_of(verb::get, "/v1/kv/app/a", "Bearer") == status::unauthorized);
  CHECK(result_of(verb::get, "/v1/kv/app/a", "Bearer ") == status::unauthorized);
  CHECK(result_of(verb::get, "/v1/kv/app/a", "Bearer " + std::string(read_token) + "x") ==
        status::unauthorized);
  {
    // Two Authorization headers: the first decides; a root token second gains nothing.
    Request request{verb::put, "/v1/kv/other", 11};
    request.insert(field::authorization, bearer);
    request.insert(field::authorization, "Bearer " + std::string(root_token));
    request.body() = "y";
    request.prepare_payload();
    std::optional<Response> response;
    router.handle(std::move(request), [&](Router::Answer answer) { response = answer(); });
    REQUIRE(response);
    CHECK(response->result() == status::forbidden);
  }
  // A token's name is never a key, and a reserved key is no client's.
  CHECK(result_of(verb::get, "/v1/kv/%00auth/token/reader", "Bearer " + std::string(root_token)) ==
        status::bad_request);
  CHECK(result_of(verb::delete_, "/v1/auth/tokens/..%2Freader",
                  "Bearer " + std::string(root_token)) == status::bad_request);
}

}  // namespace
}  // namespace paxoskv::http

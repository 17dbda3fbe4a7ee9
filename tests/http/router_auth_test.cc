// The Router with authentication on: every rule of http/access.h, driven without sockets.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "src/auth/token_record.h"
#include "tests/http/auth_fixture.h"

namespace paxoskv::http {
namespace {

using boost::beast::http::field;
using boost::beast::http::status;
using boost::beast::http::verb;
using nlohmann::json;
using testing::admin_token;
using testing::AuthFixture;
using testing::FakeBackend;
using testing::read_token;
using testing::root_token;
using testing::write_token;

json body_of(const Response& response) {
  return json::parse(response.body());
}

void require_refusal(const Response& response, status expected) {
  CHECK(response.result() == expected);
  CHECK(
      body_of(response) ==
      json{{"error", expected == status::unauthorized ? "unauthenticated" : "permission denied"}});
}

TEST_CASE_METHOD(AuthFixture, "auth: no token or an unknown one is 401 on every /v1 path",
                 "[http][router][auth]") {
  for (const auto& [method, target] : std::vector<std::pair<verb, std::string>>{
           {verb::get, "/v1/kv/app/a"},
           {verb::put, "/v1/kv/app/a"},
           {verb::delete_, "/v1/kv/app/a"},
           {verb::get, "/v1/kv?prefix=app/"},
           {verb::get, "/v1/kv?prefix=app/&wait=0"},
           {verb::get, "/v1/members"},
           {verb::post, "/v1/members"},
           {verb::get, "/v1/auth/tokens"},
           {verb::delete_, "/v1/auth/tokens/reader"},
           {verb::get, "/v1/snapshot"},
           {verb::post, "/v1/leases"},
       }) {
    INFO(target);
    const Response none = call(method, target, "");
    require_refusal(none, status::unauthorized);
    CHECK(none[field::www_authenticate] == "Bearer");
    require_refusal(call(method, target, "pkv_nobody"), status::unauthorized);
    // Another scheme is no token either.
    Request basic{method, target, 11};
    basic.set(field::authorization, std::string("Basic ") + std::string(root_token));
    std::optional<Response> answer;
    router.handle(std::move(basic), [&](Router::Answer a) { answer = a(); });
    require_refusal(*answer, status::unauthorized);
  }
  const std::string text = call(verb::get, "/metrics", "").body();
  CHECK(text.find("paxoskv_http_auth_refusals_total{reason=\"unauthenticated\"} 33\n") !=
        std::string::npos);
}

TEST_CASE_METHOD(AuthFixture, "auth: health, status and metrics need no token",
                 "[http][router][auth]") {
  CHECK(call(verb::get, "/healthz", "").result() == status::ok);
  CHECK(call(verb::get, "/livez", "").result() == status::ok);
  CHECK(call(verb::get, "/readyz", "").result() == status::ok);
  CHECK(call(verb::get, "/v1/status", "").result() == status::ok);
  CHECK(call(verb::get, "/metrics", "").result() == status::ok);
}

TEST_CASE_METHOD(AuthFixture, "auth: a read token reads under its prefix and writes nothing",
                 "[http][router][auth]") {
  CHECK(body_of(call(verb::get, "/v1/kv/app/a", read_token))["value"] == "app/a");
  CHECK(call(verb::head, "/v1/kv/app/a", read_token).result() == status::ok);
  CHECK(call(verb::get, "/v1/kv/app/a?wait=0", read_token).result() == status::ok);
  require_refusal(call(verb::put, "/v1/kv/app/a", read_token, "x"), status::forbidden);
  require_refusal(call(verb::delete_, "/v1/kv/app/a", read_token), status::forbidden);
  // Outside its prefix: "apple" shares the letters but not the prefix "app/".
  require_refusal(call(verb::get, "/v1/kv/apple", read_token), status::forbidden);
  require_refusal(call(verb::get, "/v1/kv/other", read_token), status::forbidden);
  require_refusal(call(verb::get, "/v1/kv/other?wait=0", read_token), status::forbidden);
  CHECK(body_of(call(verb::get, "/v1/kv/other", root_token))["value"] == "other");
  const std::string text = call(verb::get, "/metrics", "").body();
  CHECK(text.find("paxoskv_http_auth_refusals_total{reason=\"permission_denied\"} 5\n") !=
        std::string::npos);
}

TEST_CASE_METHOD(AuthFixture, "auth: a readwrite token writes under its prefix only",
                 "[http][router][auth]") {
  CHECK(call(verb::put, "/v1/kv/app/c", write_token, "c").result() == status::ok);
  CHECK(call(verb::delete_, "/v1/kv/app/c", write_token).result() == status::ok);
  require_refusal(call(verb::put, "/v1/kv/other", write_token, "x"), status::forbidden);
  require_refusal(call(verb::delete_, "/v1/kv/apple", write_token), status::forbidden);
  CHECK(body_of(call(verb::get, "/v1/kv/other", root_token))["value"] == "other");
}

TEST_CASE_METHOD(AuthFixture, "auth: leases need readwrite; a put with one is checked as any put",
                 "[http][router][auth][lease]") {
  require_refusal(call(verb::post, "/v1/leases", read_token, R"({"ttl":"10s"})"),
                  status::forbidden);
  require_refusal(call(verb::post, "/v1/leases", "", R"({"ttl":"10s"})"), status::unauthorized);
  const auto granted = call(verb::post, "/v1/leases", write_token, R"({"ttl":"10s"})");
  REQUIRE(granted.result() == status::ok);
  const std::string id = body_of(granted)["id"];
  CHECK(call(verb::put, "/v1/kv/app/lock?cas=0&lease=" + id, write_token, "me").result() ==
        status::ok);
  require_refusal(call(verb::put, "/v1/kv/other?lease=" + id, write_token, "x"), status::forbidden);
  CHECK(call(verb::put, "/v1/kv/other-leased?lease=" + id, admin_token, "x").result() ==
        status::ok);
  require_refusal(call(verb::post, "/v1/leases/" + id + "/keepalive", read_token),
                  status::forbidden);
  CHECK(call(verb::post, "/v1/leases/" + id + "/keepalive", write_token).result() == status::ok);
  // The keys listed are those the caller reaches.
  CHECK(body_of(call(verb::get, "/v1/leases/" + id, write_token))["keys"] ==
        nlohmann::json::array({"app/lock"}));
  CHECK(body_of(call(verb::get, "/v1/leases/" + id, admin_token))["keys"].size() == 2);
  require_refusal(call(verb::delete_, "/v1/leases/" + id, read_token), status::forbidden);
  CHECK(call(verb::delete_, "/v1/leases/" + id, write_token).result() == status::ok);
}

TEST_CASE_METHOD(AuthFixture, "auth: listings and prefix waits are narrowed to the token's prefix",
                 "[http][router][auth]") {
  auto keys_of = [](const json& listing) {
    std::vector<std::string> keys;
    for (const auto& item : listing["items"]) keys.push_back(item["key"]);
    return keys;
  };
  const std::vector<std::string> under_app{"app/a", "app/b"};
  CHECK(keys_of(body_of(call(verb::get, "/v1/kv", read_token))) == under_app);
  CHECK(keys_of(body_of(call(verb::get, "/v1/kv?prefix=ap", read_token))) == under_app);
  CHECK(keys_of(body_of(call(verb::get, "/v1/kv?prefix=app/b", read_token))) ==
        std::vector<std::string>{"app/b"});
  require_refusal(call(verb::get, "/v1/kv?prefix=other", read_token), status::forbidden);
  require_refusal(call(verb::get, "/v1/kv?prefix=apple", read_token), status::forbidden);
  CHECK(keys_of(body_of(call(verb::get, "/v1/kv", admin_token))).size() == 4);

  // A wide prefix wait shows no change outside the token's prefix.
  const json changes = body_of(call(verb::get, "/v1/kv?wait=0", read_token));
  REQUIRE(changes["changes"].size() == 2);
  CHECK(changes["changes"][0]["key"] == "app/a");
  CHECK(changes["changes"][1]["key"] == "app/b");
  require_refusal(call(verb::get, "/v1/kv?prefix=other&wait=0", read_token), status::forbidden);
}

TEST_CASE_METHOD(AuthFixture, "auth: members need a token to list, admin to change",
                 "[http][router][auth]") {
  CHECK(call(verb::get, "/v1/members", read_token).result() == status::ok);
  const std::string add = R"({"id":4,"peer_address":"127.0.0.1:9004"})";
  require_refusal(call(verb::post, "/v1/members", write_token, add), status::forbidden);
  require_refusal(call(verb::delete_, "/v1/members/3", read_token), status::forbidden);
  CHECK(call(verb::post, "/v1/members", admin_token, add).result() == status::ok);
  CHECK(call(verb::delete_, "/v1/members/4", root_token).result() == status::ok);
  // A snapshot is admin-only by the same rule (the fake backend takes none: 503).
  require_refusal(call(verb::get, "/v1/snapshot", write_token), status::forbidden);
  require_refusal(call(verb::get, "/v1/snapshot", read_token), status::forbidden);
  CHECK(call(verb::get, "/v1/snapshot", admin_token).result() == status::service_unavailable);
  CHECK(call(verb::get, "/v1/snapshot", root_token).result() == status::service_unavailable);
}

TEST_CASE_METHOD(AuthFixture, "auth: tokens are made, listed and revoked by admins only",
                 "[http][router][auth]") {
  const std::string body = R"({"name":"app","role":"read","prefix":"config/app/"})";
  require_refusal(call(verb::post, "/v1/auth/tokens", write_token, body), status::forbidden);
  require_refusal(call(verb::get, "/v1/auth/tokens", read_token), status::forbidden);
  require_refusal(call(verb::delete_, "/v1/auth/tokens/reader", write_token), status::forbidden);

  const Response created = call(verb::post, "/v1/auth/tokens", root_token, body);
  REQUIRE(created.result() == status::ok);
  const json answer = body_of(created);
  CHECK(answer["name"] == "app");
  const std::string token = answer["token"];
  CHECK(token.starts_with("pkv_"));
  CHECK(token.size() == 4 + 43);
  CHECK(call(verb::post, "/v1/auth/tokens", admin_token, body).result() == status::conflict);

  // The new token reads under its prefix.
  call(verb::put, "/v1/kv/config/app/db", root_token, "db");
  CHECK(call(verb::get, "/v1/kv/config/app/db", token).result() == status::ok);
  require_refusal(call(verb::get, "/v1/kv/app/a", token), status::forbidden);

  const json listed = body_of(call(verb::get, "/v1/auth/tokens", admin_token));
  CHECK(listed["tokens"].size() == 4);
  CHECK(listed["tokens"][1] == json{{"name", "app"}, {"role", "read"}, {"prefix", "config/app/"}});
  CHECK(listed.dump().find(token) == std::string::npos);

  CHECK(call(verb::delete_, "/v1/auth/tokens/app", root_token).result() == status::ok);
  require_refusal(call(verb::get, "/v1/kv/config/app/db", token), status::unauthorized);
  CHECK(call(verb::delete_, "/v1/auth/tokens/app", root_token).result() == status::not_found);
}

TEST_CASE_METHOD(AuthFixture, "auth: bad token requests are 400", "[http][router][auth]") {
  for (const std::string body : {
           R"({"name":"a","role":"admin","prefix":"x/"})",  // an admin reaches every key
           R"({"name":"a","role":"owner"})",
           R"({"name":"a b","role":"read"})",
           R"({"name":"","role":"read"})",
           R"({"role":"read"})",
           R"({"name":"a","role":"read","extra":1})",
           R"({"name":"a","role":"read","prefix":7})",
           "not json",
       }) {
    INFO(body);
    CHECK(call(verb::post, "/v1/auth/tokens", root_token, body).result() == status::bad_request);
  }
  CHECK(call(verb::delete_, "/v1/auth/tokens/a%20b", root_token).result() == status::bad_request);
  CHECK(call(verb::put, "/v1/auth/tokens", root_token).result() == status::method_not_allowed);
}

TEST_CASE("auth: off, no token is needed", "[http][router][auth]") {
  FakeBackend backend;
  HttpMetrics metrics;
  Router router{backend, ServerLimits{}, metrics};
  std::optional<Response> response;
  router.handle(Request{verb::get, "/v1/kv/any", 11},
                [&](Router::Answer answer) { response = answer(); });
  CHECK(response->result() == status::not_found);
}

// A token the replica had before its start is checked with the cluster before it counts:
// it may have been revoked while the replica was down.
TEST_CASE_METHOD(AuthFixture, "auth: a token from before the start counts once the cluster says so",
                 "[http][router][auth]") {
  constexpr std::string_view old_token = "pkv_old";
  backend.add_unconfirmed_token("old", Role::read, "app/", std::string(old_token));

  SECTION("revoked meanwhile: 401, and no later check") {
    backend.set_token_check(Result{});  // the read finds no token of that name
    require_refusal(call(verb::get, "/v1/kv/app/a", old_token), status::unauthorized);
    require_refusal(call(verb::get, "/v1/kv/app/a", old_token), status::unauthorized);
    CHECK(backend.token_checks() == 1);
  }
  SECTION("the cluster cannot be reached: 503, and it is checked again next time") {
    backend.set_token_check(Result::failure(Errc::no_quorum));
    const Response response = call(verb::get, "/v1/kv/app/a", old_token);
    CHECK(response.result() == status::service_unavailable);
    CHECK(body_of(response)["error"] == "no quorum");
    backend.set_token_check(
        Result{Errc::ok,
               1,
               auth::encode_token_record(
                   auth::TokenRecord{Role::read, "app/", auth::digest_of(std::string(old_token))}),
               {}});
    CHECK(body_of(call(verb::get, "/v1/kv/app/a", old_token))["value"] == "app/a");
    CHECK(backend.token_checks() == 2);
  }
  SECTION("still there: served, its role and prefix apply, checked once") {
    CHECK(body_of(call(verb::get, "/v1/kv/app/a", old_token))["value"] == "app/a");
    require_refusal(call(verb::put, "/v1/kv/app/a", old_token, "x"), status::forbidden);
    require_refusal(call(verb::get, "/v1/kv/other", old_token), status::forbidden);
    CHECK(backend.token_checks() == 1);
  }
  SECTION("the name now holds another secret: 401") {
    backend.set_token_check(Result{
        Errc::ok,
        2,
        auth::encode_token_record(auth::TokenRecord{Role::read, "app/", auth::digest_of("new")}),
        {}});
    require_refusal(call(verb::get, "/v1/kv/app/a", old_token), status::unauthorized);
  }
}

}  // namespace
}  // namespace paxoskv::http

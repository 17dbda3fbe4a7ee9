// The Router driven directly: every route, parameter and error code, no sockets.
#include "http/router.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "http/json_render.h"
#include "tests/http/fake_backend.h"

namespace paxoskv::http {
namespace {

using boost::beast::http::status;
using boost::beast::http::verb;
using nlohmann::json;
using testing::FakeBackend;

ServerLimits router_limits() {
  ServerLimits limits;
  limits.max_value_bytes = 1024;
  limits.max_list_limit = 5;
  limits.default_list_limit = 3;
  return limits;
}

// The answer of a request that may still wait (a long poll).
class PendingResponse {
 public:
  bool ready() const { return response_->has_value(); }
  const Response& get() const {
    REQUIRE(ready());
    return **response_;
  }

 private:
  friend class RouterFixture;
  std::shared_ptr<std::optional<Response>> response_ = std::make_shared<std::optional<Response>>();
};

class RouterFixture {
 public:
  PendingResponse start(verb method, std::string target, std::string body = {}) {
    Request request{method, target, 11};
    request.body() = std::move(body);
    request.prepare_payload();
    PendingResponse pending;
    router.handle(std::move(request), [slot = pending.response_](Router::Answer answer) {
      REQUIRE_FALSE(slot->has_value());
      *slot = answer();
    });
    return pending;
  }

  Response call(verb method, std::string target, std::string body = {}) {
    auto pending = start(method, std::move(target), std::move(body));
    REQUIRE(pending.ready());
    return pending.get();
  }

  FakeBackend backend;
  HttpMetrics metrics;
  Router router{backend, router_limits(), metrics};
};

json body_of(const Response& response) {
  REQUIRE(response[boost::beast::http::field::content_type] == "application/json");
  return json::parse(response.body());
}

std::string header(const Response& response, std::string_view name) {
  return std::string(response[name]);
}

void require_error(const Response& response, status expected) {
  CHECK(response.result() == expected);
  CHECK(body_of(response).contains("error"));
}

}  // namespace

TEST_CASE_METHOD(RouterFixture, "healthz, status and metrics answer", "[http][router]") {
  auto health = call(verb::get, "/healthz");
  CHECK(health.result() == status::ok);
  CHECK(body_of(health) == json{{"status", "ok"}});

  auto status_response = call(verb::get, "/v1/status");
  CHECK(status_response.result() == status::ok);
  CHECK(body_of(status_response)["id"] == 1);

  call(verb::put, "/v1/kv/a", "x");
  auto metrics_response = call(verb::get, "/metrics");
  CHECK(metrics_response.result() == status::ok);
  CHECK(header(metrics_response, "Content-Type").starts_with("text/plain; version=0.0.4"));
  const std::string& text = metrics_response.body();
  CHECK(text.find("paxoskv_fake_up 1\n") != std::string::npos);
  CHECK(text.find("paxoskv_http_requests_total{route=\"kv_put\",code=\"200\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("paxoskv_http_request_duration_seconds_count{route=\"kv_put\"} 1\n") !=
        std::string::npos);
}

TEST_CASE_METHOD(RouterFixture, "put and get round-trip a value with its version",
                 "[http][router]") {
  auto put = call(verb::put, "/v1/kv/greeting", "hello");
  CHECK(put.result() == status::ok);
  CHECK(body_of(put) == json{{"key", "greeting"}, {"version", 1}});

  auto get = call(verb::get, "/v1/kv/greeting");
  CHECK(get.result() == status::ok);
  CHECK(body_of(get) == json{{"key", "greeting"}, {"value", "hello"}, {"version", 1}});
  CHECK(header(get, "X-Paxoskv-Index") == "1");
  CHECK(backend.last_consistency() == Consistency::linearizable);

  CHECK(body_of(call(verb::put, "/v1/kv/greeting", "again"))["version"] == 2);
  CHECK(body_of(call(verb::get, "/v1/kv/greeting"))["value"] == "again");
  CHECK(header(call(verb::get, "/v1/kv/greeting"), "X-Paxoskv-Index") == "2");

  SECTION("empty values are values") {
    CHECK(call(verb::put, "/v1/kv/empty", "").result() == status::ok);
    CHECK(body_of(call(verb::get, "/v1/kv/empty"))["value"] == "");
  }
}

TEST_CASE_METHOD(RouterFixture, "consistency chooses the read", "[http][router]") {
  call(verb::put, "/v1/kv/k", "v");
  CHECK(call(verb::get, "/v1/kv/k?consistency=local").result() == status::ok);
  CHECK(backend.last_consistency() == Consistency::local);
  CHECK(call(verb::get, "/v1/kv/k?consistency=linearizable").result() == status::ok);
  CHECK(backend.last_consistency() == Consistency::linearizable);
  require_error(call(verb::get, "/v1/kv/k?consistency=foo"), status::bad_request);
  require_error(call(verb::get, "/v1/kv/k?consistency="), status::bad_request);
  require_error(call(verb::get, "/v1/kv/k?consistency=LOCAL"), status::bad_request);
}

TEST_CASE_METHOD(RouterFixture, "a deleted key is absent but keeps its version", "[http][router]") {
  call(verb::put, "/v1/kv/k", "v");
  auto removed = call(verb::delete_, "/v1/kv/k");
  CHECK(removed.result() == status::ok);
  CHECK(body_of(removed) == json{{"key", "k"}, {"version", 2}});

  auto get = call(verb::get, "/v1/kv/k");
  CHECK(get.result() == status::not_found);
  CHECK(body_of(get) == json{{"error", "not found"}, {"key", "k"}, {"version", 2}});
  CHECK_FALSE(header(get, "X-Paxoskv-Index").empty());

  auto again = call(verb::delete_, "/v1/kv/k");
  CHECK(again.result() == status::not_found);
  CHECK(body_of(again)["version"] == 2);

  CHECK(body_of(call(verb::put, "/v1/kv/k", "back"))["version"] == 3);
}

TEST_CASE_METHOD(RouterFixture, "a never written key is absent with version 0", "[http][router]") {
  auto get = call(verb::get, "/v1/kv/nothing");
  CHECK(get.result() == status::not_found);
  CHECK(body_of(get) == json{{"error", "not found"}, {"key", "nothing"}, {"version", 0}});
  CHECK(call(verb::delete_, "/v1/kv/nothing").result() == status::not_found);
  CHECK(call(verb::get, "/v1/kv/nothing?raw").result() == status::not_found);
}

TEST_CASE_METHOD(RouterFixture, "cas writes only over the expected version", "[http][router]") {
  CHECK(body_of(call(verb::put, "/v1/kv/k?cas=0", "first"))["version"] == 1);

  auto taken = call(verb::put, "/v1/kv/k?cas=0", "second");
  CHECK(taken.result() == status::conflict);
  CHECK(body_of(taken)["key"] == "k");
  CHECK(body_of(taken)["version"] == 1);
  CHECK(body_of(taken).contains("error"));

  auto stale = call(verb::put, "/v1/kv/k?cas=7", "second");
  CHECK(stale.result() == status::conflict);
  CHECK(body_of(stale)["version"] == 1);

  CHECK(body_of(call(verb::put, "/v1/kv/k?cas=1", "second"))["version"] == 2);
  CHECK(body_of(call(verb::get, "/v1/kv/k"))["value"] == "second");

  CHECK(call(verb::delete_, "/v1/kv/k?cas=1").result() == status::conflict);
  CHECK(call(verb::delete_, "/v1/kv/k?cas=2").result() == status::ok);
  // Deleted: cas=0 means absent, so it applies again, on top of the kept version.
  CHECK(call(verb::put, "/v1/kv/k?cas=3", "x").result() == status::conflict);
  CHECK(body_of(call(verb::put, "/v1/kv/k?cas=0", "x"))["version"] == 4);
}

TEST_CASE_METHOD(RouterFixture, "keys are the percent-decoded rest of the path", "[http][router]") {
  CHECK(body_of(call(verb::put, "/v1/kv/config/app/db", "v"))["key"] == "config/app/db");
  CHECK(body_of(call(verb::get, "/v1/kv/config%2Fapp%2Fdb"))["value"] == "v");
  CHECK(body_of(call(verb::put, "/v1/kv/a%20b+c", "v"))["key"] == "a b+c");
  CHECK(body_of(call(verb::put, "/v1/kv/caf%C3%A9", "v"))["key"] == "café");
  CHECK(body_of(call(verb::put, "/v1/kv/%3Fq%3D1%26", "v"))["key"] == "?q=1&");
  CHECK(body_of(call(verb::put, "/v1/kv//leading", "v"))["key"] == "/leading");
  CHECK(body_of(call(verb::get, "/v1/kv/a%20b+c"))["key"] == "a b+c");

  SECTION("a key that is not UTF-8 comes back base64") {
    auto put = call(verb::put, "/v1/kv/%FF%FE", "v");
    CHECK(put.result() == status::ok);
    CHECK(body_of(put) == json{{"key_base64", "//4="}, {"version", 1}});
  }
}

TEST_CASE_METHOD(RouterFixture, "bad keys are refused", "[http][router]") {
  for (const char* target : {"/v1/kv/", "/v1/kv/%00", "/v1/kv/a%00b", "/v1/kv/%zz", "/v1/kv/a%4",
                             "/v1/kv/a%", "/v1/kv/%G0"}) {
    INFO(target);
    require_error(call(verb::get, target), status::bad_request);
    require_error(call(verb::put, target, "v"), status::bad_request);
    require_error(call(verb::delete_, target), status::bad_request);
  }

  const std::string longest(1024, 'k');
  CHECK(call(verb::put, "/v1/kv/" + longest, "v").result() == status::ok);
  require_error(call(verb::put, "/v1/kv/" + longest + "k", "v"), status::payload_too_large);
  require_error(call(verb::get, "/v1/kv/" + longest + "k"), status::payload_too_large);
  // Counted decoded: 1024 escaped bytes are 1024 bytes.
  std::string escaped;
  for (int i = 0; i < 1024; ++i) escaped += "%41";
  CHECK(call(verb::get, "/v1/kv/" + escaped).result() == status::not_found);
}

TEST_CASE_METHOD(RouterFixture, "numbers are plain decimal 64-bit", "[http][router]") {
  call(verb::put, "/v1/kv/k", "v");
  for (const char* number : {"-1", "1x", "99999999999999999999", "", "+1", " 1", "1 ", "0x1", "1.0",
                             "18446744073709551616"}) {
    INFO(number);
    const std::string n = number;
    require_error(call(verb::put, "/v1/kv/k?cas=" + n, "v"), status::bad_request);
    require_error(call(verb::delete_, "/v1/kv/k?cas=" + n), status::bad_request);
    require_error(call(verb::get, "/v1/kv/k?wait=" + n), status::bad_request);
    require_error(call(verb::get, "/v1/kv?prefix=k&limit=" + n), status::bad_request);
    require_error(call(verb::get, "/v1/kv?prefix=k&wait=" + n), status::bad_request);
  }
  // The largest number parses (and mismatches).
  CHECK(call(verb::put, "/v1/kv/k?cas=18446744073709551615", "v").result() == status::conflict);
  CHECK(body_of(call(verb::get, "/v1/kv/k"))["version"] == 1);  // nothing changed
}

TEST_CASE_METHOD(RouterFixture, "parameter values are checked, unknown names ignored",
                 "[http][router]") {
  call(verb::put, "/v1/kv/k", "v");
  require_error(call(verb::get, "/v1/kv/k?raw=maybe"), status::bad_request);
  require_error(call(verb::get, "/v1/kv/k?wait=0&timeout=5x"), status::bad_request);
  require_error(call(verb::get, "/v1/kv/k?wait=0&timeout=-1s"), status::bad_request);
  require_error(call(verb::get, "/v1/kv/k?wait=0&timeout="), status::bad_request);
  require_error(call(verb::get, "/v1/kv/k?timeout=soon"), status::bad_request);
  require_error(call(verb::get, "/v1/kv/k?cas=1&cas=2"), status::bad_request);
  require_error(call(verb::put, "/v1/kv/k?cas=1&cas=1", "v"), status::bad_request);
  require_error(call(verb::get, "/v1/kv/k?x=%zz"), status::bad_request);
  CHECK(call(verb::get, "/v1/kv/k?verbose=yes&_=123").result() == status::ok);
  CHECK(call(verb::get, "/v1/kv/k?&&").result() == status::ok);
}

TEST_CASE_METHOD(RouterFixture, "values over the limit are refused", "[http][router]") {
  CHECK(call(verb::put, "/v1/kv/k", std::string(1024, 'v')).result() == status::ok);
  auto large = call(verb::put, "/v1/kv/k", std::string(1025, 'v'));
  require_error(large, status::payload_too_large);
  CHECK(body_of(call(verb::get, "/v1/kv/k"))["version"] == 1);
}

TEST_CASE_METHOD(RouterFixture, "no quorum and shutting down are 503", "[http][router]") {
  const std::string key = "/v1/kv/" + std::string(FakeBackend::no_quorum_key);
  for (auto response : {call(verb::put, key, "v"), call(verb::get, key), call(verb::delete_, key),
                        call(verb::put, key + "?cas=0", "v")}) {
    CHECK(response.result() == status::service_unavailable);
    CHECK(body_of(response)["error"] == "no quorum");
  }
  CHECK(call(verb::get, key + "?consistency=local").result() == status::not_found);

  backend.set_shutting_down(true);
  auto refused = call(verb::put, "/v1/kv/k", "v");
  require_error(refused, status::service_unavailable);
}

TEST_CASE_METHOD(RouterFixture, "raw reads give the bytes and the version in a header",
                 "[http][router]") {
  const std::string bytes("\x00\xff binary\r\n", 11);
  call(verb::put, "/v1/kv/blob", bytes);
  call(verb::put, "/v1/kv/blob", bytes);
  for (const char* query : {"?raw", "?raw=", "?raw=1", "?raw=true"}) {
    INFO(query);
    auto raw = call(verb::get, std::string("/v1/kv/blob") + query);
    CHECK(raw.result() == status::ok);
    CHECK(raw.body() == bytes);
    CHECK(header(raw, "Content-Type") == "application/octet-stream");
    CHECK(header(raw, "X-Paxoskv-Version") == "2");
    CHECK(header(raw, "X-Paxoskv-Index") == "2");
  }
  CHECK(body_of(call(verb::get, "/v1/kv/blob?raw=false")).contains("value_base64"));
}

TEST_CASE_METHOD(RouterFixture, "values that are not UTF-8 come base64", "[http][router]") {
  call(verb::put, "/v1/kv/bin", std::string("\xff\xfe", 2));
  CHECK(body_of(call(verb::get, "/v1/kv/bin")) ==
        json{{"key", "bin"}, {"value_base64", "//4="}, {"version", 1}});

  call(verb::put, "/v1/kv/overlong", std::string("\xc0\xaf", 2));
  CHECK(body_of(call(verb::get, "/v1/kv/overlong")).contains("value_base64"));

  call(verb::put, "/v1/kv/text", "żółw ✓ 🐢");
  CHECK(body_of(call(verb::get, "/v1/kv/text"))["value"] == "żółw ✓ 🐢");

  call(verb::put, "/v1/kv/nul", std::string("a\0b", 3));
  CHECK(body_of(call(verb::get, "/v1/kv/nul"))["value"] == std::string("a\0b", 3));
}

TEST_CASE_METHOD(RouterFixture, "listing pages through a prefix in key order", "[http][router]") {
  for (const char* key : {"a/3", "a/1", "a/5", "a/2", "a/4", "b/1", "a"}) {
    call(verb::put, std::string("/v1/kv/") + key, std::string("value of ") + key);
  }
  call(verb::put, "/v1/kv/a/6", "gone");
  call(verb::delete_, "/v1/kv/a/6");

  auto first = call(verb::get, "/v1/kv?prefix=a/&limit=2");
  CHECK(first.result() == status::ok);
  CHECK(header(first, "X-Paxoskv-Index") == "9");
  const json page = body_of(first);
  CHECK(page["more"] == true);
  REQUIRE(page["items"].size() == 2);
  CHECK(page["items"][0] == json{{"key", "a/1"}, {"value", "value of a/1"}, {"version", 1}});
  CHECK(page["items"][1]["key"] == "a/2");

  const json second = body_of(call(verb::get, "/v1/kv?prefix=a%2F&limit=2&after=a%2F2"));
  CHECK(second["more"] == true);
  CHECK(second["items"][0]["key"] == "a/3");
  CHECK(second["items"][1]["key"] == "a/4");

  const json last = body_of(call(verb::get, "/v1/kv?prefix=a/&limit=2&after=a/4"));
  CHECK(last["more"] == false);
  REQUIRE(last["items"].size() == 1);
  CHECK(last["items"][0]["key"] == "a/5");

  SECTION("defaults: every key, the default limit") {
    const json all = body_of(call(verb::get, "/v1/kv"));
    CHECK(all["items"].size() == 3);
    CHECK(all["items"][0]["key"] == "a");
    CHECK(all["more"] == true);
    CHECK(backend.last_list_limit() == 3);
  }
  SECTION("large limits are capped") {
    CHECK(body_of(call(verb::get, "/v1/kv?limit=1000000"))["items"].size() == 5);
    CHECK(backend.last_list_limit() == 5);
  }
  SECTION("bad listing parameters") {
    require_error(call(verb::get, "/v1/kv?limit=0"), status::bad_request);
    require_error(call(verb::get, "/v1/kv?prefix=%00"), status::bad_request);
    require_error(call(verb::get, "/v1/kv?prefix=" + std::string(1025, 'p')), status::bad_request);
    require_error(call(verb::get, "/v1/kv?consistency=linearizable"), status::bad_request);
    require_error(call(verb::get, "/v1/kv?consistency=foo"), status::bad_request);
    CHECK(call(verb::get, "/v1/kv?consistency=local").result() == status::ok);
  }
  SECTION("an empty listing") {
    const json none = body_of(call(verb::get, "/v1/kv?prefix=zzz"));
    CHECK(none == json{{"items", json::array()}, {"more", false}});
  }
}

TEST_CASE_METHOD(RouterFixture, "listing renders values that are not UTF-8 base64",
                 "[http][router]") {
  call(verb::put, "/v1/kv/p/bin", std::string("\x80", 1));
  call(verb::put, "/v1/kv/p/text", "plain");
  const json list = body_of(call(verb::get, "/v1/kv?prefix=p/"));
  CHECK(list["items"][0] == json{{"key", "p/bin"}, {"value_base64", "gA=="}, {"version", 1}});
  CHECK(list["items"][1]["value"] == "plain");
}

TEST_CASE_METHOD(RouterFixture, "wrong methods are 405 with Allow, unknown paths 404",
                 "[http][router]") {
  auto post = call(verb::post, "/v1/kv/k", "v");
  require_error(post, status::method_not_allowed);
  CHECK(header(post, "Allow") == "GET, HEAD, PUT, DELETE");
  for (auto [method, target] : {std::pair{verb::put, "/healthz"},
                                {verb::delete_, "/v1/kv"},
                                {verb::post, "/metrics"},
                                {verb::put, "/v1/status"}}) {
    INFO(target);
    auto response = call(method, target);
    require_error(response, status::method_not_allowed);
    CHECK(header(response, "Allow") == "GET, HEAD");
  }
  for (const char* target : {"/", "/v1", "/v1/kvx", "/v2/kv/k", "/healthz/", "/v1/kv%2Fk"}) {
    INFO(target);
    require_error(call(verb::get, target), status::not_found);
  }
  require_error(call(verb::get, "*"), status::bad_request);
}

TEST_CASE_METHOD(RouterFixture, "livez is 200 and readyz follows the replica's readiness",
                 "[http][router][readiness]") {
  const auto check_ready = [&](bool ready, bool reaches_majority, bool caught_up) {
    INFO("reaches_majority " << reaches_majority << ", caught_up " << caught_up);
    backend.set_readiness(Readiness{reaches_majority, caught_up});
    const Response live = call(verb::get, "/livez");
    CHECK(live.result() == status::ok);
    CHECK(body_of(live) == json{{"status", "ok"}});
    const Response readyz = call(verb::get, "/readyz");
    CHECK(readyz.result() == (ready ? status::ok : status::service_unavailable));
    CHECK(body_of(readyz) == json{{"status", ready ? "ready" : "not ready"},
                                  {"reaches_majority", reaches_majority},
                                  {"caught_up", caught_up}});
    CHECK(call(verb::head, "/readyz").result() == readyz.result());
  };
  check_ready(true, true, true);
  check_ready(false, false, true);  // lost its majority
  check_ready(false, true, false);  // still catching up after its start
  check_ready(false, false, false);
  check_ready(true, true, true);
  for (const char* target : {"/livez", "/readyz"}) {
    const Response response = call(verb::post, target);
    require_error(response, status::method_not_allowed);
    CHECK(header(response, "Allow") == "GET, HEAD");
  }
  CHECK(metrics.render().find("route=\"readyz\"") != std::string::npos);
}

TEST_CASE_METHOD(RouterFixture, "HEAD and absolute-form targets are served like GET",
                 "[http][router]") {
  call(verb::put, "/v1/kv/k", "v");
  CHECK(call(verb::head, "/healthz").result() == status::ok);
  CHECK(call(verb::head, "/v1/kv/k").result() == status::ok);
  CHECK(body_of(call(verb::get, "http://localhost:8001/v1/kv/k?consistency=local"))["value"] ==
        "v");
  CHECK(call(verb::get, "http://localhost:8001").result() == status::not_found);
}

TEST_CASE_METHOD(RouterFixture, "a key wait answers at once when the version is past",
                 "[http][router]") {
  call(verb::put, "/v1/kv/k", "one");
  call(verb::put, "/v1/kv/k", "two");
  auto response = call(verb::get, "/v1/kv/k?wait=1&timeout=30s");
  CHECK(body_of(response) == json{{"key", "k"}, {"value", "two"}, {"version", 2}});
  CHECK(header(response, "X-Paxoskv-Index") == "2");
  CHECK(backend.pending_waits() == 0);
}

TEST_CASE_METHOD(RouterFixture, "a key wait answers on a change or at its timeout",
                 "[http][router]") {
  call(verb::put, "/v1/kv/k", "one");

  SECTION("woken by a change") {
    auto pending = start(verb::get, "/v1/kv/k?wait=1");
    CHECK_FALSE(pending.ready());
    CHECK(backend.last_wait_timeout() == std::chrono::seconds(30));
    call(verb::put, "/v1/kv/other", "x");
    CHECK_FALSE(pending.ready());
    call(verb::put, "/v1/kv/k", "two");
    CHECK(body_of(pending.get()) == json{{"key", "k"}, {"value", "two"}, {"version", 2}});
  }
  SECTION("a delete wakes it too, as not found with the new version") {
    auto pending = start(verb::get, "/v1/kv/k?wait=1&timeout=1m");
    call(verb::delete_, "/v1/kv/k");
    CHECK(pending.get().result() == status::not_found);
    CHECK(body_of(pending.get())["version"] == 2);
  }
  SECTION("at the timeout, the current state") {
    auto pending = start(verb::get, "/v1/kv/k?wait=1&timeout=500ms");
    CHECK(backend.last_wait_timeout() == std::chrono::milliseconds(500));
    backend.expire_waits();
    CHECK(body_of(pending.get()) == json{{"key", "k"}, {"value", "one"}, {"version", 1}});
    CHECK(header(pending.get(), "X-Paxoskv-Index") == "1");
  }
  SECTION("raw waits answer raw") {
    auto pending = start(verb::get, "/v1/kv/k?wait=1&raw");
    call(verb::put, "/v1/kv/k", "two");
    CHECK(pending.get().body() == "two");
    CHECK(header(pending.get(), "X-Paxoskv-Version") == "2");
  }
  SECTION("timeouts: units, bare seconds, cap") {
    for (auto [timeout, expected] : {std::pair{"2m", 120'000},
                                     {"3", 3'000},
                                     {"45s", 45'000},
                                     {"0", 0},
                                     {"1h", 300'000},
                                     {"99999999999999s", 300'000}}) {
      INFO(timeout);
      start(verb::get, std::string("/v1/kv/k?wait=5&timeout=") + timeout);
      CHECK(backend.last_wait_timeout() == std::chrono::milliseconds(expected));
    }
    backend.expire_waits();
  }
}

TEST_CASE_METHOD(RouterFixture, "a prefix wait answers with the changes after an index",
                 "[http][router]") {
  call(verb::put, "/v1/kv/app/a", "1");  // index 1
  call(verb::put, "/v1/kv/other", "x");  // index 2

  SECTION("changes already there") {
    auto response = call(verb::get, "/v1/kv?prefix=app/&wait=0");
    CHECK(header(response, "X-Paxoskv-Index") == "2");
    CHECK(body_of(response) == json{{"changes",
                                     {{{"key", "app/a"},
                                       {"value", "1"},
                                       {"version", 1},
                                       {"deleted", false},
                                       {"index", 1}}}},
                                    {"index", 2}});
  }
  SECTION("woken by a change under the prefix, deletes included") {
    auto pending = start(verb::get, "/v1/kv?prefix=app/&wait=2&timeout=10s");
    CHECK_FALSE(pending.ready());
    CHECK(backend.last_wait_timeout() == std::chrono::seconds(10));
    call(verb::put, "/v1/kv/elsewhere", "y");
    CHECK_FALSE(pending.ready());
    call(verb::delete_, "/v1/kv/app/a");
    const json changes = body_of(pending.get());
    CHECK(changes["index"] == 4);
    REQUIRE(changes["changes"].size() == 1);
    CHECK(changes["changes"][0] ==
          json{{"key", "app/a"}, {"version", 2}, {"deleted", true}, {"index", 4}});
  }
  SECTION("none at the timeout") {
    auto pending = start(verb::get, "/v1/kv?prefix=app/&wait=2&timeout=100ms");
    backend.expire_waits();
    CHECK(body_of(pending.get()) == json{{"changes", json::array()}, {"index", 2}});
    CHECK(header(pending.get(), "X-Paxoskv-Index") == "2");
  }
  SECTION("values that are not UTF-8 come base64") {
    auto pending = start(verb::get, "/v1/kv?wait=2");
    call(verb::put, "/v1/kv/bin", std::string("\xff", 1));
    CHECK(body_of(pending.get())["changes"][0]["value_base64"] == "/w==");
  }
}

}  // namespace paxoskv::http

namespace paxoskv::http {
namespace {

json members_of(const Response& response) {
  REQUIRE(response.result() == status::ok);
  return body_of(response);
}

std::string member_body(const json& id, const json& address) {
  return json{{"id", id}, {"peer_address", address}}.dump();
}

}  // namespace

TEST_CASE_METHOD(RouterFixture, "members: list, add, remove", "[http][router][members]") {
  const json founded = members_of(call(verb::get, "/v1/members"));
  CHECK(founded["config_version"] == 0);
  CHECK(founded["members"].size() == 3);
  CHECK(founded["members"][0] == json{{"id", 1}, {"peer_address", "127.0.0.1:9001"}});
  CHECK(founded["retired"] == json::array());
  CHECK_FALSE(founded.contains("leaving"));
  CHECK(call(verb::head, "/v1/members").result() == status::ok);

  const json added = members_of(call(verb::post, "/v1/members", member_body(4, "127.0.0.1:9004")));
  CHECK(added["members"].size() == 4);
  CHECK(added["members"][3] == json{{"id", 4}, {"peer_address", "127.0.0.1:9004"}});
  CHECK(added["config_version"] == 2);
  CHECK(members_of(call(verb::get, "/v1/members")) == added);

  const json removed = members_of(call(verb::delete_, "/v1/members/2"));
  CHECK(removed["members"].size() == 3);
  CHECK(removed["retired"] == json::array({2}));
  CHECK(removed["config_version"] == 4);
}

TEST_CASE("members: a change that runs shows the leaving configuration",
          "[http][router][members]") {
  Membership joint;
  joint.members = {{1, "a:1"}, {2, "b:1"}, {4, "d:1"}};
  joint.leaving = {{1, "a:1"}, {2, "b:1"}, {3, "c:1"}};
  joint.config_version = 7;
  joint.retired = {3};
  const json rendered = membership_json(joint);
  CHECK(rendered["config_version"] == 7);
  CHECK(rendered["members"][2] == json{{"id", 4}, {"peer_address", "d:1"}});
  CHECK(rendered["leaving"][2] == json{{"id", 3}, {"peer_address", "c:1"}});
  CHECK(rendered["retired"] == json::array({3}));
}

TEST_CASE("status: the configuration, who is reachable, quorums of both while joint",
          "[http][router][members]") {
  NodeStatus status;
  status.id = 1;
  status.cluster = {{1, "a:1"}, {2, "b:1"}, {3, "c:1"}};
  status.reachable = {{2, true}, {3, false}};
  status.index = 12;
  status.membership.members = {{1, "a:1"}, {2, "b:1"}, {3, "c:1"}};
  json rendered = status_json(status);
  CHECK(rendered["id"] == 1);
  CHECK(rendered["members"][0] ==
        json{{"id", 1}, {"peer_address", "a:1"}, {"self", true}, {"reachable", true}});
  CHECK(rendered["members"][2] ==
        json{{"id", 3}, {"peer_address", "c:1"}, {"self", false}, {"reachable", false}});
  CHECK_FALSE(rendered.contains("leaving"));
  CHECK(rendered["reachable"] == 2);
  CHECK(rendered["quorum"] == 2);
  CHECK(rendered["has_quorum"] == true);
  CHECK(rendered["index"] == 12);
  CHECK(rendered["config_version"] == 0);
  CHECK(rendered["removed"] == false);

  // Joint: 1, 2, 3 -> 1, 2, 4, 5 with 3, 4 and 5 down: a majority of the old
  // configuration, none of the new.
  status.cluster = {{1, "a:1"}, {2, "b:1"}, {3, "c:1"}, {4, "d:1"}, {5, "e:1"}};
  status.reachable = {{2, true}, {3, false}, {4, false}, {5, false}};
  status.membership.members = {{1, "a:1"}, {2, "b:1"}, {4, "d:1"}, {5, "e:1"}};
  status.membership.leaving = {{1, "a:1"}, {2, "b:1"}, {3, "c:1"}};
  status.membership.config_version = 5;
  rendered = status_json(status);
  CHECK(rendered["members"].size() == 4);
  CHECK(rendered["leaving"].size() == 3);
  CHECK(rendered["leaving"][2]["reachable"] == false);
  CHECK(rendered["quorum"] == 3);
  CHECK(rendered["has_quorum"] == false);
  CHECK(rendered["config_version"] == 5);
  status.reachable[4] = true;
  CHECK(status_json(status)["has_quorum"] == true);
  status.reachable[5] = true;
  status.reachable[2] = false;  // a majority of the new configuration, not of the old
  CHECK(status_json(status)["has_quorum"] == false);

  status.removed = true;
  CHECK(status_json(status)["removed"] == true);
}

TEST_CASE_METHOD(RouterFixture, "members: bad bodies and ids are 400", "[http][router][members]") {
  for (const std::string& body : {
           std::string(""),
           std::string("not json"),
           std::string("[1]"),
           std::string(R"({"id":4})"),
           std::string(R"({"peer_address":"h:1"})"),
           member_body(0, "h:1"),
           member_body(-4, "h:1"),
           member_body(4294967296, "h:1"),
           member_body(4.5, "h:1"),
           member_body("4", "h:1"),
           member_body(4, 9004),
           member_body(4, ""),
           std::string(R"({"id":4,"peer_address":"h:1","voter":true})"),
           std::string("{\"id\":4,\"peer_address\":\"h\xFF:1\"}"),
       }) {
    CAPTURE(body);
    const Response response = call(verb::post, "/v1/members", body);
    require_error(response, status::bad_request);
    CHECK(body_of(response)["error"].get<std::string>().starts_with("bad member"));
  }
  // The replica checks the address's form: its refusal is a 400 saying why.
  const Response malformed = call(verb::post, "/v1/members", member_body(4, "no-port"));
  require_error(malformed, status::bad_request);
  CHECK(body_of(malformed)["error"] == "bad peer address: expected host:port");

  for (const char* target : {"/v1/members/0", "/v1/members/x", "/v1/members/",
                             "/v1/members/4294967296", "/v1/members/-1", "/v1/members/1/2"}) {
    CAPTURE(target);
    require_error(call(verb::delete_, target), status::bad_request);
  }
  CHECK(members_of(call(verb::get, "/v1/members"))["config_version"] == 0);  // nothing changed
  CHECK(members_of(call(verb::post, "/v1/members", member_body(4294967295u, "h:1")))["members"]
            .size() == 4);
}

TEST_CASE_METHOD(RouterFixture, "members: ids in use or used before are 409",
                 "[http][router][members]") {
  const Response in_use = call(verb::post, "/v1/members", member_body(2, "127.0.0.1:9012"));
  require_error(in_use, status::conflict);
  CHECK(body_of(in_use)["error"] == "id in use or used before (ids are never reused)");

  members_of(call(verb::delete_, "/v1/members/3"));
  require_error(call(verb::post, "/v1/members", member_body(3, "127.0.0.1:9003")),
                status::conflict);
}

TEST_CASE_METHOD(RouterFixture, "members: unknown ids are 404, the last member 409",
                 "[http][router][members]") {
  const Response unknown = call(verb::delete_, "/v1/members/9");
  require_error(unknown, status::not_found);
  CHECK(body_of(unknown)["error"] == "unknown id");

  members_of(call(verb::delete_, "/v1/members/1"));
  require_error(call(verb::delete_, "/v1/members/1"), status::not_found);  // retired
  members_of(call(verb::delete_, "/v1/members/2"));
  const Response last = call(verb::delete_, "/v1/members/3");
  require_error(last, status::conflict);
  CHECK(body_of(last)["error"] == "last member");
}

TEST_CASE_METHOD(RouterFixture, "members: no quorum is 503", "[http][router][members]") {
  const Response minority =
      call(verb::post, "/v1/members", member_body(4, std::string(FakeBackend::no_quorum_address)));
  require_error(minority, status::service_unavailable);
  CHECK(body_of(minority)["error"] == "no quorum");
  CHECK(body_of(minority)["detail"] == "fake minority");
}

TEST_CASE_METHOD(RouterFixture, "members: other methods are 405", "[http][router][members]") {
  for (const verb method : {verb::put, verb::delete_, verb::patch}) {
    const Response response = call(method, "/v1/members");
    require_error(response, status::method_not_allowed);
    CHECK(header(response, "Allow") == "GET, HEAD, POST");
  }
  for (const verb method : {verb::get, verb::put, verb::post}) {
    const Response response = call(method, "/v1/members/2");
    require_error(response, status::method_not_allowed);
    CHECK(header(response, "Allow") == "DELETE");
  }
  const std::string text = call(verb::get, "/metrics").body();
  CHECK(text.find("paxoskv_http_requests_total{route=\"method_not_allowed\",code=\"405\"} 6\n") !=
        std::string::npos);
}

TEST_CASE_METHOD(RouterFixture, "a removed replica answers every client request 410",
                 "[http][router][members]") {
  call(verb::put, "/v1/kv/k", "v");
  backend.set_removed(true);
  for (const auto& [method, target] : std::vector<std::pair<verb, std::string>>{
           {verb::get, "/v1/kv/k"},
           {verb::get, "/v1/kv/k?consistency=local"},
           {verb::put, "/v1/kv/k"},
           {verb::delete_, "/v1/kv/k"},
           {verb::get, "/v1/kv?prefix=k"},
           {verb::get, "/v1/kv?prefix=k&wait=0&timeout=1s"},
           {verb::post, "/v1/members"},
           {verb::delete_, "/v1/members/2"},
       }) {
    CAPTURE(target);
    const std::string body = method == verb::post ? member_body(4, "h:1") : "";
    const Response response = call(method, target, body);
    CHECK(response.result() == status::gone);
    CHECK(body_of(response)["error"] == "removed");
  }
  // What an operator looks at to see why still answers.
  CHECK(members_of(call(verb::get, "/v1/members"))["members"].size() == 3);
  CHECK(call(verb::get, "/v1/status").result() == status::ok);
  CHECK(call(verb::get, "/metrics").result() == status::ok);
  CHECK(call(verb::get, "/healthz").result() == status::ok);
}

TEST_CASE_METHOD(RouterFixture, "removed from the replica's answer is 410",
                 "[http][router][members]") {
  const std::string key = "/v1/kv/" + std::string(FakeBackend::removed_key);
  for (const verb method : {verb::get, verb::put, verb::delete_}) {
    const Response response = call(method, key, method == verb::put ? "v" : "");
    CHECK(response.result() == status::gone);
    CHECK(body_of(response)["error"] == "removed");
  }
}

}  // namespace paxoskv::http

namespace paxoskv::http {
namespace {

TEST_CASE_METHOD(RouterFixture, "leases: grant, attach, keepalive, read and revoke",
                 "[http][router][lease]") {
  auto granted = call(verb::post, "/v1/leases", R"({"ttl":"2500ms"})");
  REQUIRE(granted.result() == status::ok);
  const std::string id = body_of(granted)["id"];
  CHECK(body_of(granted) == json{{"id", id}, {"ttl", "2.5s"}});

  CHECK(call(verb::put, "/v1/kv/svc/a?lease=" + id, "a").result() == status::ok);
  CHECK(body_of(call(verb::put, "/v1/kv/svc/b?cas=0&lease=" + id, "b"))["version"] == 1);
  auto missing = call(verb::put, "/v1/kv/svc/c?lease=00000000000000ff", "c");
  CHECK(missing.result() == status::not_found);
  CHECK(body_of(missing) == json{{"error", "lease not found"}});

  auto renewed = call(verb::post, "/v1/leases/" + id + "/keepalive");
  CHECK(body_of(renewed) == json{{"id", id}, {"ttl", "2.5s"}, {"remaining", "2.5s"}});
  auto info = call(verb::get, "/v1/leases/" + id);
  CHECK(body_of(info) == json{{"id", id},
                              {"ttl", "2.5s"},
                              {"remaining", "2.5s"},
                              {"keys", json::array({"svc/a", "svc/b"})}});

  CHECK(body_of(call(verb::delete_, "/v1/leases/" + id)) == json{{"id", id}});
  CHECK(call(verb::get, "/v1/kv/svc/a").result() == status::not_found);
  CHECK(call(verb::get, "/v1/kv/svc/b").result() == status::not_found);
  require_error(call(verb::delete_, "/v1/leases/" + id), status::not_found);
  require_error(call(verb::post, "/v1/leases/" + id + "/keepalive"), status::not_found);
  require_error(call(verb::get, "/v1/leases/" + id), status::not_found);
}

TEST_CASE_METHOD(RouterFixture, "leases: bad grants, paths and methods", "[http][router][lease]") {
  for (const char* body : {R"({"ttl":"999ms"})", R"({"ttl":"2h"})", R"({"ttl":10})", R"({})",
                           R"({"ttl":"10s","x":1})", "not json", R"({"ttl":"ten"})"}) {
    INFO(body);
    require_error(call(verb::post, "/v1/leases", body), status::bad_request);
  }
  CHECK(body_of(call(verb::post, "/v1/leases", R"({"ttl":"1h"})"))["ttl"] == "3600s");
  CHECK(call(verb::get, "/v1/leases").result() == status::method_not_allowed);
  CHECK(call(verb::put, "/v1/leases/0000000000000001").result() == status::method_not_allowed);
  CHECK(call(verb::get, "/v1/leases/0000000000000001/keepalive").result() ==
        status::method_not_allowed);
  CHECK(call(verb::post, "/v1/leases/0000000000000001").result() == status::method_not_allowed);
  CHECK(call(verb::get, "/v1/leases/a/b").result() == status::not_found);
}

}  // namespace
}  // namespace paxoskv::http

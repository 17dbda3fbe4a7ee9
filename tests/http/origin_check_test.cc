// A page of another web site cannot change anything through a replica's client port: a
// browser's cross-site write carries an Origin that is not the replica's.
#include "http/origin_check.h"

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>

#include "http/metrics.h"
#include "http/router.h"
#include "http/server_limits.h"
#include "tests/http/fake_backend.h"

namespace paxoskv::http {
namespace {

using boost::beast::http::field;
using boost::beast::http::status;
using boost::beast::http::verb;

Request request_with(verb method, std::string target, std::string host,
                     std::optional<std::string> origin) {
  Request request{method, target, 11};
  request.set(field::host, host);
  if (origin) request.set(field::origin, *origin);
  request.prepare_payload();
  return request;
}

TEST_CASE("origin check: writes from another origin are cross-origin changes", "[http][origin]") {
  CHECK(is_cross_origin_change(
      request_with(verb::post, "/v1/leases", "127.0.0.1:8001", "http://evil.example")));
  CHECK(is_cross_origin_change(
      request_with(verb::put, "/v1/kv/a", "127.0.0.1:8001", "http://127.0.0.1:8002")));
  CHECK(is_cross_origin_change(
      request_with(verb::delete_, "/v1/members/3", "10.0.0.1:8001", "null")));
  // The replica's own pages, and clients without Origin, are not.
  CHECK_FALSE(is_cross_origin_change(
      request_with(verb::put, "/v1/kv/a", "127.0.0.1:8001", "http://127.0.0.1:8001")));
  CHECK_FALSE(is_cross_origin_change(
      request_with(verb::put, "/v1/kv/a", "Node1.Example:8001", "https://node1.example:8001")));
  CHECK_FALSE(is_cross_origin_change(request_with(verb::put, "/v1/kv/a", "h:1", std::nullopt)));
  // Reads change nothing (and without CORS headers the page cannot read the answer).
  CHECK_FALSE(is_cross_origin_change(
      request_with(verb::get, "/v1/kv/a", "127.0.0.1:8001", "http://evil.example")));
}

TEST_CASE("origin check: the router refuses a cross-origin write with 403 and does nothing",
          "[http][origin]") {
  testing::FakeBackend backend;
  HttpMetrics metrics;
  Router router{backend, ServerLimits{}, metrics};
  auto call = [&](Request request) {
    std::optional<Response> answer;
    router.handle(std::move(request), [&](Router::Answer a) { answer = a(); });
    REQUIRE(answer);
    return *answer;
  };
  Request foreign = request_with(verb::put, "/v1/kv/a", "127.0.0.1:8001", "http://evil.example");
  foreign.body() = "x";
  foreign.prepare_payload();
  const Response refused = call(std::move(foreign));
  CHECK(refused.result() == status::forbidden);
  CHECK(refused.body().find("cross-origin request refused") != std::string::npos);
  CHECK(call(request_with(verb::get, "/v1/kv/a", "127.0.0.1:8001", std::nullopt)).result() ==
        status::not_found);

  Request own = request_with(verb::put, "/v1/kv/a", "127.0.0.1:8001", "http://127.0.0.1:8001");
  own.body() = "x";
  own.prepare_payload();
  CHECK(call(std::move(own)).result() == status::ok);
}

}  // namespace
}  // namespace paxoskv::http

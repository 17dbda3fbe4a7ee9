// A Router with authentication on over a FakeBackend holding three tokens (a read and a
// readwrite one for "app/", an admin) and the keys app/a, app/b, apple and other.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/router.h"
#include "src/auth/token_secret.h"
#include "tests/http/fake_backend.h"

namespace paxoskv::http::testing {

inline constexpr std::string_view root_token = "root-secret";
inline constexpr std::string_view read_token = "pkv_read-app";
inline constexpr std::string_view write_token = "pkv_write-app";
inline constexpr std::string_view admin_token = "pkv_admin";

class AuthFixture {
 public:
  AuthFixture() {
    backend.add_token("reader", Role::read, "app/", std::string(read_token));
    backend.add_token("writer", Role::readwrite, "app/", std::string(write_token));
    backend.add_token("admin", Role::admin, "", std::string(admin_token));
    // Keys in and out of the tokens' prefix, written as the root.
    for (const char* key : {"app/a", "app/b", "apple", "other"}) {
      REQUIRE(call(verb::put, std::string("/v1/kv/") + key, root_token, key).result() ==
              status::ok);
    }
  }

  using verb = boost::beast::http::verb;
  using status = boost::beast::http::status;
  using Pending = std::shared_ptr<std::optional<Response>>;

  // The answer so far (none while a long poll waits), with these Authorization headers.
  Pending send(verb method, std::string target, std::initializer_list<std::string> authorization,
               std::string body = {}) {
    Request request{method, target, 11};
    for (const std::string& value : authorization) {
      request.insert(boost::beast::http::field::authorization, value);
    }
    request.body() = std::move(body);
    request.prepare_payload();
    auto response = std::make_shared<std::optional<Response>>();
    router.handle(std::move(request), [response](Router::Answer answer) { *response = answer(); });
    return response;
  }

  // The answer, which must come at once; `token` empty: no Authorization header.
  Response call(verb method, std::string target, std::string_view token, std::string body = {}) {
    const Pending response =
        token.empty()
            ? send(method, std::move(target), {}, std::move(body))
            : send(method, std::move(target), {"Bearer " + std::string(token)}, std::move(body));
    REQUIRE(response->has_value());
    return std::move(**response);
  }

  FakeBackend backend;
  HttpMetrics metrics;
  Router router{backend, ServerLimits{}, metrics,
                AccessControl{auth::digest_of(std::string(root_token))}};
};

}  // namespace paxoskv::http::testing

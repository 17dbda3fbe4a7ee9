// Who may do what once authentication is on: one rule by path, then the token's prefix.
//
// Paths outside /v1/ (/healthz, /livez, /readyz, /metrics) and /v1/status need no token.
// Under /v1/kv a read (GET, HEAD) needs any role, a write (PUT, DELETE) readwrite or
// admin, both on keys under the token's prefix; GET /v1/members needs any valid token.
// Every lease request (/v1/leases: grant, keepalive, read, revoke) needs readwrite or
// admin, whatever the token's prefix: a lease belongs to no key, and its id is the
// capability (a put that attaches a key to it is checked as any put of that key).
// Everything else under /v1/ (membership changes, /v1/auth, and endpoints to come such
// as /v1/snapshot) needs admin.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "paxoskv/auth.h"
#include "src/auth/token_secret.h"

namespace paxoskv::http {

// What the front end checks tokens against; no root token: authentication is off.
struct AccessControl {
  std::optional<auth::TokenDigest> root_token;

  bool enabled() const { return root_token.has_value(); }
};

enum class Need { nothing, any_token, read, write, admin };

Need need_of(std::string_view path, boost::beast::http::verb method);
// Whether `role` is enough for `need` (before the prefix is looked at).
bool role_allows(Role role, Need need);
// Whether `token` reaches `key` (it starts with the token's prefix).
bool reaches(const TokenInfo& token, std::string_view key);
// The prefix a listing or long poll asked for `asked` may cover: `asked` when it lies
// within the token's prefix, the token's prefix when `asked` is wider (no key the token
// may not read is shown), nullopt when they are disjoint.
std::optional<std::string> narrowed_prefix(const TokenInfo& token, std::string_view asked);
// The token of an "Authorization: Bearer <token>" header value; nullopt for another scheme.
std::optional<std::string_view> bearer_token(std::string_view authorization);

}  // namespace paxoskv::http

// Tokens with roles: who may do what through the HTTP API once authentication is on
// (HttpListenerOptions::auth_root_token). Tokens are replicated state, kept hashed; the
// Node creates, lists and revokes them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "paxoskv/result.h"

namespace paxoskv {

enum class Role {
  read,       // GET of keys under the token's prefix, listings and long polls under it
  readwrite,  // also PUT and DELETE of keys under its prefix
  admin,      // every key, membership changes, the tokens themselves
};

std::string_view to_string(Role role);
// nullopt for a name that is not "read", "readwrite" or "admin".
std::optional<Role> role_named(std::string_view name);

// A token as the cluster knows it: never the token itself.
struct TokenInfo {
  std::string name;
  Role role = Role::read;
  std::string prefix;  // the keys it reaches; empty: every key (always so for admin)

  friend bool operator==(const TokenInfo&, const TokenInfo&) = default;
};

// A replica's answer on a token's secret.
struct Authentication {
  Result result;  // ok, or why the token could not be checked (no_quorum, removed)
  std::optional<TokenInfo> holder;  // with ok: the token, or nullopt if there is none
};

struct CreatedToken {
  Result result;
  std::string token;  // with ok: the secret, shown this once (the cluster keeps its hash)
};

}  // namespace paxoskv

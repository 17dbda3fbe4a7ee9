// A token as replicated state: the value of the reserved key "\0auth/token/<name>" holds
// its role, its prefix and the SHA-256 of its secret (never the secret). Client keys hold
// no NUL, so no client can name these keys; listings and watches leave them out.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "paxoskv/auth.h"
#include "src/auth/token_secret.h"

namespace paxoskv::auth {

inline constexpr std::string_view kTokenKeyPrefix{"\0auth/token/", 12};
// The longest token name.
inline constexpr std::size_t kMaxTokenNameBytes = 64;

struct TokenRecord {
  Role role = Role::read;
  std::string prefix;
  TokenDigest digest{};
};

std::string token_key(std::string_view name);
// The token name a reserved key holds, or nullopt if it holds none.
std::optional<std::string_view> token_name_of(std::string_view key);

// Why a token with this name, role and prefix cannot be made (a text for the client), or
// nullopt. Names are 1 to 64 of A-Z a-z 0-9 . _ -; a prefix is a key's beginning (no NUL,
// at most `max_key_bytes`); an admin reaches every key, so its prefix is empty.
std::optional<std::string> token_request_problem(std::string_view name, Role role,
                                                 std::string_view prefix,
                                                 std::size_t max_key_bytes);
std::optional<std::string> token_name_problem(std::string_view name);

std::string encode_token_record(const TokenRecord& record);
// nullopt if `value` is not one encode_token_record made.
std::optional<TokenRecord> decode_token_record(std::string_view value);

}  // namespace paxoskv::auth

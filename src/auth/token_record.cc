#include "src/auth/token_record.h"

#include <algorithm>
#include <cctype>

namespace paxoskv::auth {

namespace {

// "1\n<role>\n<digest, hex>\n<prefix>": the prefix last, as it may hold newlines.
constexpr std::string_view kFormat = "1";
constexpr std::string_view kHexDigits = "0123456789abcdef";

std::string hex_of(const TokenDigest& digest) {
  std::string hex;
  hex.reserve(2 * digest.size());
  for (const unsigned char byte : digest) {
    hex.push_back(kHexDigits[byte >> 4]);
    hex.push_back(kHexDigits[byte & 0x0F]);
  }
  return hex;
}

std::optional<TokenDigest> digest_from_hex(std::string_view hex) {
  TokenDigest digest{};
  if (hex.size() != 2 * digest.size()) return std::nullopt;
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const auto high = kHexDigits.find(hex[2 * i]);
    const auto low = kHexDigits.find(hex[2 * i + 1]);
    if (high == std::string_view::npos || low == std::string_view::npos) return std::nullopt;
    digest[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return digest;
}

// The text up to the next newline, taken off `rest`; nullopt if there is no newline.
std::optional<std::string_view> take_line(std::string_view& rest) {
  const auto newline = rest.find('\n');
  if (newline == std::string_view::npos) return std::nullopt;
  const std::string_view line = rest.substr(0, newline);
  rest.remove_prefix(newline + 1);
  return line;
}

}  // namespace

std::string token_key(std::string_view name) {
  std::string key(kTokenKeyPrefix);
  key += name;
  return key;
}

std::optional<std::string_view> token_name_of(std::string_view key) {
  if (!key.starts_with(kTokenKeyPrefix)) return std::nullopt;
  return key.substr(kTokenKeyPrefix.size());
}

std::optional<std::string> token_name_problem(std::string_view name) {
  if (name.empty() || name.size() > kMaxTokenNameBytes) {
    return "bad name: 1 to " + std::to_string(kMaxTokenNameBytes) + " characters";
  }
  const bool allowed = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
  });
  if (!allowed) return "bad name: only letters, digits, '.', '_' and '-'";
  return std::nullopt;
}

std::optional<std::string> token_request_problem(std::string_view name, Role role,
                                                 std::string_view prefix,
                                                 std::size_t max_key_bytes) {
  if (auto problem = token_name_problem(name)) return problem;
  if (prefix.find('\0') != std::string_view::npos) return "bad prefix: contains NUL";
  if (prefix.size() > max_key_bytes) return "bad prefix: longer than a key may be";
  if (role == Role::admin && !prefix.empty()) {
    return "bad prefix: an admin token reaches every key, its prefix must be empty";
  }
  return std::nullopt;
}

std::string encode_token_record(const TokenRecord& record) {
  std::string value(kFormat);
  value += '\n';
  value += to_string(record.role);
  value += '\n';
  value += hex_of(record.digest);
  value += '\n';
  value += record.prefix;
  return value;
}

std::optional<TokenRecord> decode_token_record(std::string_view value) {
  const auto format = take_line(value);
  if (!format || *format != kFormat) return std::nullopt;
  const auto role_text = take_line(value);
  const auto hex = take_line(value);
  if (!role_text || !hex) return std::nullopt;
  const auto role = role_named(*role_text);
  const auto digest = digest_from_hex(*hex);
  if (!role || !digest) return std::nullopt;
  return TokenRecord{*role, std::string(value), *digest};
}

}  // namespace paxoskv::auth

namespace paxoskv {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::read:
      return "read";
    case Role::readwrite:
      return "readwrite";
    case Role::admin:
      return "admin";
  }
  return "read";
}

std::optional<Role> role_named(std::string_view name) {
  for (const Role role : {Role::read, Role::readwrite, Role::admin}) {
    if (to_string(role) == name) return role;
  }
  return std::nullopt;
}

}  // namespace paxoskv

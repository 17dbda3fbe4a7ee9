#include "http/access.h"

#include <cctype>

#include "http/api_names.h"

namespace paxoskv::http {

using boost::beast::http::verb;

Need need_of(std::string_view path, verb method) {
  if (!path.starts_with(api_path_prefix) || path == status_path) return Need::nothing;
  const bool is_read = method == verb::get || method == verb::head;
  if (path == kv_path || path.starts_with(kv_key_path_prefix)) {
    return is_read ? Need::read : Need::write;
  }
  if (path == members_path && is_read) return Need::any_token;
  if (path == leases_path || path.starts_with(lease_path_prefix)) return Need::write;
  return Need::admin;
}

bool role_allows(Role role, Need need) {
  switch (need) {
    case Need::nothing:
    case Need::any_token:
    case Need::read:
      return true;
    case Need::write:
      return role == Role::readwrite || role == Role::admin;
    case Need::admin:
      return role == Role::admin;
  }
  return false;
}

bool reaches(const TokenInfo& token, std::string_view key) {
  return key.starts_with(token.prefix);
}

std::optional<std::string> narrowed_prefix(const TokenInfo& token, std::string_view asked) {
  if (asked.starts_with(token.prefix)) return std::string(asked);
  if (std::string_view(token.prefix).starts_with(asked)) return token.prefix;
  return std::nullopt;
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) {
      return std::nullopt;
    }
  }
  std::string_view token = authorization.substr(scheme.size());
  while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace paxoskv::http

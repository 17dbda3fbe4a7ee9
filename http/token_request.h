// The requests of /v1/auth/tokens read strictly: the body of a new token, a name in the
// path. Anything else is a 400 (RequestError).
#pragma once

#include <string>
#include <string_view>

#include "paxoskv/auth.h"

namespace paxoskv::http {

struct TokenToCreate {
  std::string name;
  Role role = Role::read;
  std::string prefix;
};

// {"name": "app", "role": "read"|"readwrite"|"admin", "prefix": "config/app/"}: name and
// role required, prefix optional (default: every key), nothing else. The name, the prefix
// and their fit with the role are checked as the node checks them.
TokenToCreate token_to_create(std::string_view body, std::size_t max_key_bytes);
// The rest of the path after /v1/auth/tokens/: a token name.
std::string token_name_from_path(std::string_view name);

}  // namespace paxoskv::http

// Request targets of the HTTP API: keys and query values percent-encoded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paxoskv::ctl {

// Every byte outside RFC 3986's unreserved set (and '/', which stays readable in
// `config/app/db`) becomes %XX, so any key, binary or UTF-8, arrives byte for byte.
std::string encode_path(std::string_view key);

// The same for a query value, where '/' may stay but '+' must not ('+' reads as a space).
std::string encode_query_value(std::string_view value);

using QueryParameters = std::vector<std::pair<std::string, std::string>>;

// "/v1/kv/{key}?name=value&...": the key must be 1+ bytes without NUL (UsageError).
std::string key_target(std::string_view key, const QueryParameters& query = {});

// "/v1/kv?name=value&..." for listings and prefix long polls.
std::string collection_target(const QueryParameters& query);

}  // namespace paxoskv::ctl

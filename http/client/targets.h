// Request targets of the HTTP API: keys and query parameters percent-encoded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paxoskv::http::client {

// Name and value, as they are (encoding is the target's business); an empty value is
// sent as the name alone ("?raw").
using QueryParameters = std::vector<std::pair<std::string, std::string>>;

// "/v1/kv/{key}?name=value&...": every byte of the key arrives as it is, '/' kept
// readable (`config/app/db`). The API refuses an empty key or one with NUL.
std::string key_target(std::string_view key, const QueryParameters& query = {});

// "?cas=N" for a write that holds only while the key is at version N (0: absent); none
// for an unconditional write.
QueryParameters cas_query(std::optional<std::uint64_t> expected_version);

// "/v1/kv?name=value&..." for listings and prefix long polls.
std::string collection_target(const QueryParameters& query);

}  // namespace paxoskv::http::client

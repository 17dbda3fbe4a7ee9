// Finds one integer field in a JSON reply without parsing the document: the load loop
// reads a version from every cas step, and a full parse would cost more than the rest of
// the request handling.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace paxoskv::bench {

// The first `"name": N` or `"name": "N"` (etcd's gateway quotes 64-bit integers) in
// `json`. A quote inside a JSON string is always escaped, so `"name":` can only match a
// real member name, never text inside a value.
std::optional<std::uint64_t> find_json_uint(std::string_view json, std::string_view name);

// The first `"name": "text"` in `json`: the text as it stands between the quotes (for
// values without escapes, such as ids); nullopt if absent or not a string.
std::optional<std::string_view> find_json_string(std::string_view json, std::string_view name);

// Whether `"name": true` occurs in `json`.
bool find_json_true(std::string_view json, std::string_view name);

}  // namespace paxoskv::bench

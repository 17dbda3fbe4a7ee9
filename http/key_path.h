// Keys as requests name them: the rest of the path after /v1/kv/, percent-decoded; 1 to
// max_key_bytes bytes, any byte but NUL ('/' included).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http/api_names.h"

namespace paxoskv::http {

// The key of an encoded path starting with kv_key_path_prefix. Throws RequestError: 400
// for bad percent-encoding, an empty key or a NUL byte, 413 for a key over max_key_bytes.
std::string key_from_path(std::string_view encoded_path, std::size_t max_key_bytes);

// Checks a decoded key prefix or listing cursor (?prefix, ?after): no NUL, at most
// max_key_bytes (no key could match a longer one). Throws RequestError (400) naming
// `parameter`.
void check_key_bound(std::string_view parameter, std::string_view value, std::size_t max_key_bytes);

}  // namespace paxoskv::http

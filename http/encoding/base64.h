// Base64 (RFC 4648, standard alphabet, padded): how bytes that are not UTF-8 travel in the
// API's JSON ("key_base64", "value_base64"), and how etcd's JSON gateway wants keys and values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace paxoskv::http {

// Appends the encoding of `bytes` to `out`: a caller that reuses `out` allocates nothing.
void append_base64(std::string& out, std::string_view bytes);

std::string base64_encode(std::string_view bytes);

// The decoded bytes; nullopt if `text` is not valid padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace paxoskv::http

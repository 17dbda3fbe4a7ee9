// Base64 (RFC 4648, standard alphabet, padded) appended into a caller's buffer, so a
// request can be assembled without allocating: etcd's JSON gateway wants keys and values
// in base64.
#pragma once

#include <string>
#include <string_view>

namespace paxoskv::bench {

void append_base64(std::string& out, std::string_view bytes);

}  // namespace paxoskv::bench

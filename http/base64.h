// Base64 (RFC 4648, standard alphabet, padded): how bytes that are not UTF-8 travel in JSON.
#pragma once

#include <string>
#include <string_view>

namespace paxoskv::http {

std::string base64_encode(std::string_view bytes);

}  // namespace paxoskv::http

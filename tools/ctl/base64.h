// Base64 (RFC 4648, with padding): the API's "value_base64" / "key_base64" fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace paxoskv::ctl {

// The decoded bytes; nullopt if `text` is not valid padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace paxoskv::ctl

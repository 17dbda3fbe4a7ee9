// Percent-encoding (RFC 3986) of the parts of a request target: keys in the path, query
// names and values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace paxoskv::http {

// Whether '/' stays as it is: in a key ("config/app/db" reads as it is written) and in a
// query value it may; elsewhere it is escaped like any other reserved byte.
enum class Slashes { kept, escaped };

// Appends `bytes` to `out` with every byte outside RFC 3986's unreserved set (and '/'
// unless kept) as %XX, upper-case: any key, binary or UTF-8, arrives byte for byte. '+'
// is escaped too, as servers read it as a space in a query.
void append_percent_encoded(std::string& out, std::string_view bytes, Slashes slashes);

std::string percent_encode(std::string_view bytes, Slashes slashes);

// Decodes %HH escapes (and '+' as a space when `plus_is_space`, as forms and most clients
// encode query values); nullopt when a '%' is not followed by two hex digits. Other bytes
// pass through as they are.
std::optional<std::string> percent_decode(std::string_view encoded, bool plus_is_space = false);

}  // namespace paxoskv::http

// A request target split into its path and query, and percent-decoding of their parts.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace paxoskv::http {

struct Target {
  std::string_view path;   // percent-encoded, starts with '/'
  std::string_view query;  // percent-encoded, without the '?'; empty when absent
};

// Splits an origin-form ("/path?query") or absolute-form ("http://host/path?query") target;
// nullopt for any other form. The views point into `target`.
std::optional<Target> split_target(std::string_view target);

// Decodes %HH escapes (and '+' as a space when `plus_is_space`, as forms and most clients
// encode query values); nullopt when a '%' is not followed by two hex digits. Other bytes
// pass through as they are.
std::optional<std::string> percent_decode(std::string_view encoded, bool plus_is_space = false);

}  // namespace paxoskv::http

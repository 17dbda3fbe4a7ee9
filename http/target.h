// A request target split into its path and query (their parts are decoded with
// http/encoding/percent_encoding.h).
#pragma once

#include <optional>
#include <string_view>

namespace paxoskv::http {

struct Target {
  std::string_view path;   // percent-encoded, starts with '/'
  std::string_view query;  // percent-encoded, without the '?'; empty when absent
};

// Splits an origin-form ("/path?query") or absolute-form ("http://host/path?query") target;
// nullopt for any other form. The views point into `target`.
std::optional<Target> split_target(std::string_view target);

}  // namespace paxoskv::http

// The parameters of a request's query, parsed strictly: a value that is not what its
// parameter expects is a 400, never a guess. Names the front end does not know are ignored.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace paxoskv::http {

// A plain decimal number: digits only, no sign, no spaces, fits in 64 bits.
std::optional<std::uint64_t> parse_decimal_u64(std::string_view text);

class QueryParams {
 public:
  // Throws RequestError (400) on malformed percent-encoding or a parameter given twice.
  explicit QueryParams(std::string_view encoded_query);

  bool contains(std::string_view name) const;
  std::optional<std::string> text(std::string_view name) const;

  // The accessors below throw RequestError (400) when the value is malformed.

  std::optional<std::uint64_t> number(std::string_view name) const;
  // Absent: false. "?raw", "raw=", "raw=1", "raw=true": true; "0", "false": false.
  bool flag(std::string_view name) const;
  // parse_duration_millis (http/encoding/duration.h), capped at `max`.
  std::optional<std::chrono::milliseconds> duration(std::string_view name,
                                                    std::chrono::milliseconds max) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace paxoskv::http

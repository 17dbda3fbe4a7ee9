#include "http/query_params.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <limits>

#include "http/encoding/duration.h"
#include "http/encoding/percent_encoding.h"
#include "http/request_error.h"

namespace paxoskv::http {

using boost::beast::http::status;

std::optional<std::uint64_t> parse_decimal_u64(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

QueryParams::QueryParams(std::string_view encoded_query) {
  while (!encoded_query.empty()) {
    const auto amp = encoded_query.find('&');
    const std::string_view pair = encoded_query.substr(0, amp);
    encoded_query =
        amp == std::string_view::npos ? std::string_view{} : encoded_query.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2"
    const auto equals = pair.find('=');
    auto name = percent_decode(pair.substr(0, equals), true);
    auto value = percent_decode(
        equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1), true);
    if (!name || !value) {
      throw RequestError(status::bad_request, "malformed percent-encoding in the query");
    }
    if (!values_.emplace(std::move(*name), std::move(*value)).second) {
      throw RequestError(status::bad_request,
                         fmt::format("parameter given twice: {}", pair.substr(0, equals)));
    }
  }
}

bool QueryParams::contains(std::string_view name) const {
  return values_.contains(name);
}

std::optional<std::string> QueryParams::text(std::string_view name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  return found->second;
}

std::optional<std::uint64_t> QueryParams::number(std::string_view name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  const auto value = parse_decimal_u64(found->second);
  if (!value) {
    throw RequestError(status::bad_request,
                       fmt::format("bad {}: expected a decimal number below 2^64", name));
  }
  return value;
}

bool QueryParams::flag(std::string_view name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return false;
  const std::string& value = found->second;
  if (value.empty() || value == "1" || value == "true") return true;
  if (value == "0" || value == "false") return false;
  throw RequestError(status::bad_request,
                     fmt::format("bad {}: expected nothing, true, false, 1 or 0", name));
}

std::optional<std::chrono::milliseconds> QueryParams::duration(
    std::string_view name, std::chrono::milliseconds max) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  const auto value = parse_duration_millis(found->second);
  if (!value) {
    throw RequestError(status::bad_request,
                       fmt::format("bad {}: expected {}", name, kDurationSyntax));
  }
  return std::min(*value, max);
}

}  // namespace paxoskv::http

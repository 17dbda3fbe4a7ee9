#include "json_scan.h"

#include <charconv>

namespace paxoskv::bench {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The position just after `"name"` and the colon that follows it, or npos.
std::size_t find_member_value(std::string_view json, std::string_view name) {
  std::size_t from = 0;
  while (from < json.size()) {
    const std::size_t quote = json.find('"', from);
    if (quote == std::string_view::npos) return std::string_view::npos;
    const std::size_t name_end = quote + 1 + name.size();
    if (name_end < json.size() && json.compare(quote + 1, name.size(), name) == 0 &&
        json[name_end] == '"') {
      std::size_t pos = name_end + 1;
      while (pos < json.size() && is_space(json[pos])) ++pos;
      if (pos < json.size() && json[pos] == ':') {
        ++pos;
        while (pos < json.size() && is_space(json[pos])) ++pos;
        return pos;
      }
    }
    from = quote + 1;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<std::uint64_t> find_json_uint(std::string_view json, std::string_view name) {
  std::size_t pos = find_member_value(json, name);
  if (pos == std::string_view::npos) return std::nullopt;
  if (pos < json.size() && json[pos] == '"') ++pos;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(json.data() + pos, json.data() + json.size(), value);
  if (error != std::errc{}) return std::nullopt;
  return value;
}

std::optional<std::string_view> find_json_string(std::string_view json, std::string_view name) {
  const std::size_t pos = find_member_value(json, name);
  if (pos == std::string_view::npos || pos >= json.size() || json[pos] != '"') return std::nullopt;
  const std::size_t end = json.find('"', pos + 1);
  if (end == std::string_view::npos) return std::nullopt;
  return json.substr(pos + 1, end - pos - 1);
}

bool find_json_true(std::string_view json, std::string_view name) {
  const std::size_t pos = find_member_value(json, name);
  return pos != std::string_view::npos && json.substr(pos, 4) == "true";
}

}  // namespace paxoskv::bench

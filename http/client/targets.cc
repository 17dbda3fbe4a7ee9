#include "http/client/targets.h"

#include "http/api_names.h"
#include "http/encoding/percent_encoding.h"

namespace paxoskv::http::client {

namespace {

// '/' may stay in a query value, but '+' must not ('+' reads as a space).
void append_query(std::string& target, const QueryParameters& query) {
  char separator = '?';
  for (const auto& [name, value] : query) {
    target += separator;
    append_percent_encoded(target, name, Slashes::kept);
    if (!value.empty()) {
      target += '=';
      append_percent_encoded(target, value, Slashes::kept);
    }
    separator = '&';
  }
}

}  // namespace

std::string key_target(std::string_view key, const QueryParameters& query) {
  std::string target(kv_key_path_prefix);
  append_percent_encoded(target, key, Slashes::kept);
  append_query(target, query);
  return target;
}

QueryParameters cas_query(std::optional<std::uint64_t> expected_version) {
  if (!expected_version) return {};
  return {{"cas", std::to_string(*expected_version)}};
}

std::string collection_target(const QueryParameters& query) {
  std::string target(kv_path);
  append_query(target, query);
  return target;
}

}  // namespace paxoskv::http::client

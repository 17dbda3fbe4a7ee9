#include "tools/ctl/url_encoding.h"

#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {

namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string percent_encode(std::string_view bytes) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  std::string encoded;
  encoded.reserve(bytes.size());
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (is_unreserved(byte) || c == '/') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += hex[byte >> 4];
      encoded += hex[byte & 0x0F];
    }
  }
  return encoded;
}

void append_query(std::string& target, const QueryParameters& query) {
  char separator = '?';
  for (const auto& [name, value] : query) {
    target += separator;
    target += encode_query_value(name);
    if (!value.empty()) {
      target += '=';
      target += encode_query_value(value);
    }
    separator = '&';
  }
}

}  // namespace

std::string encode_path(std::string_view key) {
  return percent_encode(key);
}

std::string encode_query_value(std::string_view value) {
  return percent_encode(value);
}

std::string key_target(std::string_view key, const QueryParameters& query) {
  if (key.empty()) throw UsageError("the key is empty");
  if (key.find('\0') != std::string_view::npos) throw UsageError("the key contains a NUL byte");
  std::string target = "/v1/kv/" + encode_path(key);
  append_query(target, query);
  return target;
}

std::string collection_target(const QueryParameters& query) {
  std::string target = "/v1/kv";
  append_query(target, query);
  return target;
}

}  // namespace paxoskv::ctl

#include "http/encoding/percent_encoding.h"

#include <boost/url/pct_string_view.hpp>

namespace paxoskv::http {

namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

void append_percent_encoded(std::string& out, std::string_view bytes, Slashes slashes) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (is_unreserved(byte) || (c == '/' && slashes == Slashes::kept)) {
      out += c;
    } else {
      out += '%';
      out += hex[byte >> 4];
      out += hex[byte & 0x0F];
    }
  }
}

std::string percent_encode(std::string_view bytes, Slashes slashes) {
  std::string encoded;
  encoded.reserve(bytes.size());
  append_percent_encoded(encoded, bytes, slashes);
  return encoded;
}

std::optional<std::string> percent_decode(std::string_view encoded, bool plus_is_space) {
  // Only the escapes are validated: characters RFC 3986 would want escaped are taken as
  // they come, as the key is every byte of the path.
  const auto checked = boost::urls::make_pct_string_view(encoded);
  if (!checked) return std::nullopt;
  boost::urls::encoding_opts options;
  options.space_as_plus = plus_is_space;
  return checked->decode(options);
}

}  // namespace paxoskv::http

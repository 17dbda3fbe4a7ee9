#include "http/client/endpoint.h"

namespace paxoskv::http::client {

bool take_scheme(std::string_view& text, bool https_by_default) {
  constexpr std::string_view http = "http://";
  constexpr std::string_view https = "https://";
  if (text.starts_with(http)) {
    text.remove_prefix(http.size());
    return false;
  }
  if (text.starts_with(https)) {
    text.remove_prefix(https.size());
    return true;
  }
  return https_by_default;
}

std::string Endpoint::text() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

}  // namespace paxoskv::http::client

#include "http/key_path.h"

#include <spdlog/fmt/fmt.h>

#include "http/encoding/percent_encoding.h"
#include "http/request_error.h"

namespace paxoskv::http {

using boost::beast::http::status;

std::string key_from_path(std::string_view encoded_path, std::size_t max_key_bytes) {
  auto key = percent_decode(encoded_path.substr(kv_key_path_prefix.size()));
  if (!key) throw RequestError(status::bad_request, "bad key: malformed percent-encoding");
  if (key->empty()) throw RequestError(status::bad_request, "bad key: empty");
  if (key->find('\0') != std::string::npos) {
    throw RequestError(status::bad_request, "bad key: contains NUL");
  }
  if (key->size() > max_key_bytes) {
    throw RequestError(status::payload_too_large, fmt::format("key too large: {} bytes, at most {}",
                                                              key->size(), max_key_bytes));
  }
  return std::move(*key);
}

void check_key_bound(std::string_view parameter, std::string_view value,
                     std::size_t max_key_bytes) {
  if (value.find('\0') != std::string_view::npos) {
    throw RequestError(status::bad_request, fmt::format("bad {}: contains NUL", parameter));
  }
  if (value.size() > max_key_bytes) {
    throw RequestError(
        status::bad_request,
        fmt::format("bad {}: longer than a key may be ({} bytes)", parameter, max_key_bytes));
  }
}

}  // namespace paxoskv::http

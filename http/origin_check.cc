#include "http/origin_check.h"

#include <boost/beast/core/string.hpp>
#include <string_view>

namespace paxoskv::http {

bool is_cross_origin_change(const Request& request) {
  namespace beast_http = boost::beast::http;
  const beast_http::verb method = request.method();
  if (method == beast_http::verb::get || method == beast_http::verb::head ||
      method == beast_http::verb::options) {
    return false;
  }
  const auto origin_field = request.find(beast_http::field::origin);
  if (origin_field == request.end()) return false;
  const std::string_view origin = origin_field->value();
  // "scheme://host[:port]"; anything else ("null" from a sandboxed page) is foreign.
  const std::size_t scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return true;
  return !boost::beast::iequals(origin.substr(scheme_end + 3), request[beast_http::field::host]);
}

}  // namespace paxoskv::http

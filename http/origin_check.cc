#include "http/origin_check.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace paxoskv::http {
namespace {

namespace beast_http = boost::beast::http;

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

bool is_cross_origin_change(const Request& request) {
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
  const std::string_view authority = origin.substr(scheme_end + 3);
  return !same_ignoring_case(authority, request[beast_http::field::host]);
}

}  // namespace paxoskv::http

#include "tools/ctl/endpoint.h"

#include <algorithm>
#include <charconv>

#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {

namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool valid_port(std::string_view port) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  return error == std::errc{} && end == port.data() + port.size() && value >= 1 && value <= 65535;
}

Endpoint parse_endpoint(std::string_view item, bool https_by_default) {
  const std::string_view original = item;
  const bool https = http::client::take_scheme(item, https_by_default);
  if (item.ends_with('/')) item.remove_suffix(1);
  auto bad = [&](std::string_view why) {
    return UsageError("bad endpoint '" + std::string(original) + "': " + std::string(why));
  };
  std::string_view host;
  std::string_view port;
  if (item.starts_with('[')) {  // [IPv6]:PORT
    const auto close = item.find(']');
    if (close == std::string_view::npos || item.substr(close + 1, 1) != ":") {
      throw bad("expected [ADDRESS]:PORT");
    }
    host = item.substr(1, close - 1);
    port = item.substr(close + 2);
  } else {
    const auto colon = item.rfind(':');
    if (colon == std::string_view::npos) throw bad("expected HOST:PORT");
    host = item.substr(0, colon);
    port = item.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) throw bad("write an IPv6 address in brackets");
  }
  if (host.empty()) throw bad("empty host");
  if (!valid_port(port)) throw bad("the port must be a number from 1 to 65535");
  return Endpoint{std::string(host), std::string(port), https};
}

}  // namespace

std::vector<Endpoint> parse_endpoints(std::string_view list, bool https_by_default) {
  std::vector<Endpoint> endpoints;
  while (true) {
    const auto comma = list.find(',');
    const std::string_view item = trim(list.substr(0, comma));
    if (!item.empty()) {
      Endpoint endpoint = parse_endpoint(item, https_by_default);
      // Naming one twice would only make failover try it twice.
      if (std::find(endpoints.begin(), endpoints.end(), endpoint) == endpoints.end()) {
        endpoints.push_back(std::move(endpoint));
      }
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (endpoints.empty()) throw UsageError("no endpoint given");
  return endpoints;
}

}  // namespace paxoskv::ctl

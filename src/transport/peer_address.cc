#include "src/transport/peer_address.h"

#include <charconv>
#include <cstdint>

namespace paxoskv {

std::optional<HostPort> parse_host_port(std::string_view address) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = address.substr(0, colon);
  const std::string_view port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // an IPv6 literal needs brackets
  }
  if (host.empty() || port.empty() || port.size() > 5) return std::nullopt;
  std::uint32_t number = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (error != std::errc{} || end != port.data() + port.size() || number > 65535) {
    return std::nullopt;
  }
  return HostPort{std::string(host), std::string(port)};
}

std::string to_string(const HostPort& address) {
  if (address.host.find(':') != std::string::npos) {
    return "[" + address.host + "]:" + address.port;
  }
  return address.host + ":" + address.port;
}

}  // namespace paxoskv

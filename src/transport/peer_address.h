// "host:port" addresses of replicas, as written in the cluster configuration.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace paxoskv {

struct HostPort {
  std::string host;  // a name or an IP literal, without brackets
  std::string port;  // decimal 0..65535, kept as text for the resolver

  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// Parses "host:port" or "[ipv6]:port"; nullopt if the host is empty or the port is not a
// decimal number in 0..65535.
std::optional<HostPort> parse_host_port(std::string_view address);

std::string to_string(const HostPort& address);

}  // namespace paxoskv

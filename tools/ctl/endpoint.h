// A replica's client address as given on the command line, and the list parser.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace paxoskv::ctl {

struct Endpoint {
  std::string host;  // a name or an address; IPv6 without the brackets
  std::string port;

  // HOST:PORT as the user wrote it (IPv6 in brackets).
  std::string text() const;
  bool operator==(const Endpoint&) const = default;
};

inline constexpr std::string_view default_endpoints =
    "127.0.0.1:8001,127.0.0.1:8002,127.0.0.1:8003";

// "HOST:PORT,HOST:PORT,..." (an "http://" in front of one is accepted and dropped).
// Throws UsageError on an empty list or a malformed item.
std::vector<Endpoint> parse_endpoints(std::string_view list);

}  // namespace paxoskv::ctl

// The replicas' client addresses as given on the command line.
#pragma once

#include <string_view>
#include <vector>

#include "http/client/endpoint.h"

namespace paxoskv::ctl {

using http::client::Endpoint;

inline constexpr std::string_view default_endpoints =
    "127.0.0.1:8001,127.0.0.1:8002,127.0.0.1:8003";

// "HOST:PORT,HOST:PORT,..." An "https://" in front of one makes it HTTPS, an "http://"
// plain HTTP; one without either is HTTPS when `https_by_default`. Throws UsageError on an
// empty list or a malformed item.
std::vector<Endpoint> parse_endpoints(std::string_view list, bool https_by_default = false);

}  // namespace paxoskv::ctl

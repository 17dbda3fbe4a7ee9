// The replicas' client addresses as given on the command line.
#pragma once

#include <string_view>
#include <vector>

#include "http/client/endpoint.h"

namespace paxoskv::ctl {

using http::client::Endpoint;

inline constexpr std::string_view default_endpoints =
    "127.0.0.1:8001,127.0.0.1:8002,127.0.0.1:8003";

// "HOST:PORT,HOST:PORT,..." (an "http://" in front of one is accepted and dropped).
// Throws UsageError on an empty list or a malformed item.
std::vector<Endpoint> parse_endpoints(std::string_view list);

}  // namespace paxoskv::ctl

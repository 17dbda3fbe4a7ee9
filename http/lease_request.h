// The requests of /v1/leases read strictly: the body of a grant, a lease id and its
// action in the path. Anything else is a 400 (RequestError). Also the durations of the
// answers ("10s", "2.5s").
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace paxoskv::http {

// {"ttl": "10s"}: a duration from 1s to 1h, nothing else.
std::chrono::milliseconds lease_ttl_to_grant(std::string_view body);

struct LeaseTarget {
  std::string id;
  bool keepalive = false;  // the path ends in /keepalive
};

// The rest of the path after /v1/leases/: "{id}" or "{id}/keepalive".
LeaseTarget lease_target_from_path(std::string_view rest);

// Seconds with up to three decimals and no trailing zeros: "10s", "2.5s", "0.001s".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace paxoskv::http

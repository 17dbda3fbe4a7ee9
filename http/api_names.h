// The names of the HTTP API (README, "The HTTP API") that the front end serves and its clients use:
// the paths and the headers a replica adds.
#pragma once

#include <string_view>

namespace paxoskv::http {

// Every path of the API proper; what lies outside (health, metrics) needs no token.
inline constexpr std::string_view api_path_prefix = "/v1/";
inline constexpr std::string_view kv_path = "/v1/kv";
inline constexpr std::string_view kv_key_path_prefix = "/v1/kv/";
inline constexpr std::string_view status_path = "/v1/status";
inline constexpr std::string_view healthz_path = "/healthz";
// 200 while the process runs; 200 or 503 as the replica is ready (paxoskv::Readiness).
inline constexpr std::string_view livez_path = "/livez";
inline constexpr std::string_view readyz_path = "/readyz";
inline constexpr std::string_view metrics_path = "/metrics";
// GET lists the members, POST adds one; DELETE members_path/{id} removes one.
inline constexpr std::string_view members_path = "/v1/members";
inline constexpr std::string_view member_path_prefix = "/v1/members/";
// GET lists the tokens, POST makes one; DELETE tokens_path/{name} revokes one.
inline constexpr std::string_view tokens_path = "/v1/auth/tokens";
inline constexpr std::string_view token_path_prefix = "/v1/auth/tokens/";
// POST grants a lease; GET and DELETE lease_path_prefix{id} read and revoke one, POST
// lease_path_prefix{id}/keepalive renews it.
inline constexpr std::string_view leases_path = "/v1/leases";
inline constexpr std::string_view lease_path_prefix = "/v1/leases/";
// GET streams a snapshot of the replica's applied state (README, "Backup and restore").
inline constexpr std::string_view snapshot_path = "/v1/snapshot";

// On every read: this replica's change index.
inline constexpr std::string_view index_header = "X-Paxoskv-Index";
// On raw reads, where the JSON body would have carried it.
inline constexpr std::string_view version_header = "X-Paxoskv-Version";

}  // namespace paxoskv::http

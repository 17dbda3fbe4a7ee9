// The requests of /v1/members read strictly: a member id in the path, the body of an
// addition. Anything else is a 400 (RequestError), never a guess.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace paxoskv::http {

struct MemberToAdd {
  std::uint32_t id = 0;
  std::string peer_address;  // its form ("host:port") is the replica's to check
};

// "7" (the rest of the path after /v1/members/): a decimal id from 1 to 2^32-1.
std::uint32_t member_id_from_path(std::string_view id_text);

// {"id": N, "peer_address": "HOST:PORT"}: both fields, nothing else; N from 1 to 2^32-1,
// the address a non-empty string.
MemberToAdd member_to_add(std::string_view body);

}  // namespace paxoskv::http

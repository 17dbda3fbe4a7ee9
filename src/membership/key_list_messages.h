// The two messages a configuration change uses to learn which keys exist (see
// src/membership/change_driver.h): they travel between replicas beside the consensus and
// anti-entropy messages; the consensus core never sees them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace paxoskv::membership {

// Send me the keys you hold any record of (an applied state or an acceptor's promise or
// acceptance), in key order, after `after` ("" for the first page), at most `limit`.
struct KeyListRequest {
  std::uint64_t request_id = 0;
  std::string after;
  std::uint32_t limit = 0;
};

struct KeyListReply {
  std::uint64_t request_id = 0;
  std::vector<std::string> keys;
  bool more = false;  // keys after the last one exist
};

}  // namespace paxoskv::membership

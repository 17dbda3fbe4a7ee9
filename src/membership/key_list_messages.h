// The two messages a configuration change uses to learn which keys exist (see
// src/membership/change_runner.h): they travel between replicas beside the consensus and
// anti-entropy messages; the consensus core never sees them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace paxoskv::membership {

// Send me the keys you hold any record of (an applied state or an acceptor's promise or
// acceptance), in key order, after `after` ("" for the first page), at most `limit`.
// Answered only by a replica whose configuration in force has version `config` (the
// joint configuration of the change), once what it wrote before is durable: a key that a
// majority of the leaving configuration could still choose is then on its disk.
struct KeyListRequest {
  std::uint64_t request_id = 0;
  std::uint64_t config = 0;
  std::string after;
  std::uint32_t limit = 0;
};

struct KeyListReply {
  std::uint64_t request_id = 0;
  std::vector<std::string> keys;
  bool more = false;  // keys after the last one exist
};

}  // namespace paxoskv::membership

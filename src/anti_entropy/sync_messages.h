// The two messages of anti-entropy (src/anti_entropy/anti_entropy.h), which travel between
// the replicas beside the consensus messages; the consensus core never sees them.
#pragma once

#include <cstdint>
#include <vector>

#include "consensus/messages.h"

namespace paxoskv::anti_entropy {

// Send me the latest state of keys you changed after your change index `after_index`.
struct SyncRequest {
  std::uint64_t after_index = 0;
  std::uint32_t limit = 0;
};

struct SyncReply {
  std::vector<consensus::CatchUpReply> entries;
  std::uint64_t next_index = 0;  // ask again after this index
  bool more = false;
  // Which numbering of the sender's change index `next_index` counts in: it changes
  // whenever the sender reopens its store, since a power loss may have taken back a tail
  // of its change log, which later changes then number anew. An asker whose cursor
  // belongs to another epoch must pull again from the start.
  std::uint64_t epoch = 0;
};

}  // namespace paxoskv::anti_entropy

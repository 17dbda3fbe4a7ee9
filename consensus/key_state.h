// Everything one replica's core holds in memory for one key: the mirrors of its persisted
// records and its writes, which every role reads, and each role's own volatile part.
#pragma once

#include <cstdint>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/forwarding.h"
#include "consensus/learner.h"
#include "consensus/pending_op.h"
#include "consensus/proposer.h"
#include "consensus/quorum_reads.h"
#include "consensus/records.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

struct KeyState {
  // Mirrors of what is persisted (see KeyRecord). The acceptor writes `acceptor` (but for
  // `led`, which the learner writes when our proposer got a value chosen), the learner
  // writes `applied`.
  AcceptorRecord acceptor;
  AppliedRecord applied;
  std::uint64_t change_index = 0;  // see KeyRecord
  bool acceptor_apart = false;
  // The number of the last Ready that persisted this key's records: the key may be
  // evicted (and reloaded from the store) once that Ready is persisted.
  std::uint64_t persisted_in = 0;

  // The key's writes, in order: the proposer proposes them one at a time, forwarding may
  // hand the head one to the replica proposing the key.
  std::vector<PendingOp> ops;

  ProposerState proposer;
  LearnerState learner;
  ForwardingState forwarding;
  ReadState reads;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

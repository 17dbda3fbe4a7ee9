// A write on its way through the core: our client's, or one another replica forwarded.
#pragma once

#include <cstdint>

#include "consensus/build_variant.h"
#include "consensus/operation.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

struct PendingOp {
  RequestId id = 0;  // our client's request (unused when forwarded_from is set)
  Operation op;
  OpId op_id;
  TimeMs deadline = 0;
  TimeMs submitted_at = 0;
  // The slot we last proposed this op in; 0 while not proposed, or once that slot is
  // known to have gone to another write.
  Slot proposed_slot = 0;
  // Set when another replica forwarded this op to us: the answer goes back to it.
  NodeId forwarded_from = 0;
  // Set while we wait for the replica we handed this op to (see Forwarding), with the
  // life of it we handed it to (0: not known).
  NodeId forwarded_to = 0;
  std::uint64_t forwarded_to_incarnation = 0;
  // The replica we stopped waiting for: it may still propose the op. Never handed again.
  NodeId taken_back_from = 0;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

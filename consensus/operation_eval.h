// What a client operation does to a key's state: the state machine's rules (README, "The HTTP
// API").
#pragma once

#include "consensus/build_variant.h"
#include "consensus/operation.h"
#include "consensus/records.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

struct Evaluation {
  bool applies = false;            // the op changes the key (consumes a version)
  KeyValue new_value;              // the key's state after it, when it applies
  std::uint64_t new_lease = 0;     // the lease the key is attached to after it
  Outcome failure = Outcome::kOk;  // kConflict or kNotFound, when it does not
};

// Evaluates a put or delete against `state`. (Reads never come here.)
Evaluation evaluate(const Operation& op, const AppliedRecord& state);

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

// Client operations the core carries, and how they end.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "consensus/build_variant.h"
#include "consensus/types.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

// Set the key to `value`. With `expected`, only if the key's version is exactly that
// (0: only if the key is absent).
struct PutOp {
  std::string value;
  std::optional<Version> expected;
  std::uint64_t lease = 0;  // the lease the key is attached to (see lease.h); 0: none
};

// Remove the key (only if present). With `expected`, only if present at that version.
struct DeleteOp {
  std::optional<Version> expected;
};

// A linearizable read.
struct ReadOp {};

// A membership change's carry-over of the key (see config_change.h): done once phase 1
// under the configuration in force completed for the key's open slot, with every
// promising acceptor up to date with the key, and a value found accepted in that slot
// chosen. Changes nothing else; answers kOk with the key's version. Not for clients.
struct CarryOp {};

using Operation = std::variant<PutOp, DeleteOp, ReadOp, CarryOp>;

enum class Outcome {
  kOk,        // done: `version` (and for reads `value`) is the key's state
  kNotFound,  // read or delete of an absent key; `version` is the key's version
  kConflict,  // compare-and-set mismatch; `version` and `value` are the current state
  kNoQuorum,  // deadline passed: a write may or may not have been chosen
  kUnknown,   // the key moved on past the write's slot and whether the write was
              // chosen there is not known here: it may or may not have been
};

struct Completion {
  RequestId id = 0;
  Outcome outcome = Outcome::kOk;
  Version version = 0;
  KeyValue value;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

// What the consensus core asks to persist, and the interface it reads persisted state by.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/build_variant.h"
#include "consensus/types.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

struct AcceptedProposal {
  Slot slot = 0;
  Ballot ballot;
  KeyValue value;
  OpId op;                  // the client write the value comes from
  std::uint64_t lease = 0;  // the lease the value attaches the key to (see lease.h)

  friend bool operator==(const AcceptedProposal&, const AcceptedProposal&) = default;
};

// An acceptor's memory for one key: the promise covers every slot above the applied
// version; `accepted` is only ever for the open slot (applied version + 1).
struct AcceptorRecord {
  Ballot promised;
  std::optional<AcceptedProposal> accepted;
  // This replica's own proposer's memory (it is not an acceptor's): the ballot with which
  // it last got a value chosen for the key, in its life number `led_incarnation`. Proof
  // that phase 1 for that ballot completed, which lets it skip phase 1 after the key was
  // evicted from memory and reloaded (see Proposer::restore_leadership).
  Ballot led;
  std::uint64_t led_incarnation = 0;
  std::uint64_t promised_incarnation = 0;  // the life of `promised`'s proposer, if told

  friend bool operator==(const AcceptorRecord&, const AcceptorRecord&) = default;
};

// The applied state machine for one key: the latest chosen state this replica knows.
struct AppliedRecord {
  Version version = 0;
  KeyValue value;
  WriterMarks writers;      // after the write chosen at `version` (see WriterMark)
  std::uint64_t lease = 0;  // the lease the key is attached to (see lease.h); 0: none

  friend bool operator==(const AppliedRecord&, const AppliedRecord&) = default;
};

struct KeyRecord {
  AcceptorRecord acceptor;
  AppliedRecord applied;
  // Where the applied state stands in the replica's change log (0: never applied).
  std::uint64_t change_index = 0;
  // Whether the acceptor record is stored on its own: it changed after the key's applied
  // state was last written (a promise or acceptance since). Otherwise it is kept with the
  // applied state, and an applied write need not drop a separate one.
  bool acceptor_apart = false;

  friend bool operator==(const KeyRecord&, const KeyRecord&) = default;
};

// One durable write the core asks for. `acceptor` alone: a promise or acceptance. With
// `applied` (the key's applied state changed) `acceptor` is always there too: both are
// written together, and an acceptor record stored apart is superseded.
//
// The replica's change log numbers applied changes 1, 2, ... in the order they are
// written; the core numbers them as it asks for them (it knows each key's previous
// position), so the store need not read anything to write one.
//
// All records of one Ready must be written atomically and synced before any message or
// completion of that Ready leaves the replica (but see Ready::sync).
struct PersistRecord {
  std::string key;
  std::optional<AcceptorRecord> acceptor;
  std::optional<AppliedRecord> applied;
  std::uint64_t change_index = 0;           // with `applied`: its place in the change log
  std::uint64_t replaces_change_index = 0;  // with `applied`: the key's previous place, or 0
  bool acceptor_apart = false;              // with `applied`: one is stored apart, to drop
};

// Read access to what was persisted. The core loads a key lazily on first use, so a
// replica's start-up does not replay anything.
class StateReader {
 public:
  virtual ~StateReader() = default;
  // The persisted record of `key`, or a default (empty) record if there is none.
  virtual KeyRecord load(std::string_view key) const = 0;
  // The last place taken in the change log (0 if none): how many changes were applied.
  virtual std::uint64_t change_index() const = 0;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

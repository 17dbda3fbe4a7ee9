// What the consensus core asks to persist, and the interface it reads persisted state by.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "consensus/types.h"

namespace paxoskv::consensus {

struct AcceptedProposal {
  Slot slot = 0;
  Ballot ballot;
  KeyValue value;
  OpId op;  // the client write the value comes from

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
  // evicted from memory and reloaded (see Core::state).
  Ballot led;
  std::uint64_t led_incarnation = 0;

  friend bool operator==(const AcceptorRecord&, const AcceptorRecord&) = default;
};

// The applied state machine for one key: the latest chosen state this replica knows.
struct AppliedRecord {
  Version version = 0;
  KeyValue value;
  WriterMarks writers;  // after the write chosen at `version` (see WriterMark)

  friend bool operator==(const AppliedRecord&, const AppliedRecord&) = default;
};

struct KeyRecord {
  AcceptorRecord acceptor;
  AppliedRecord applied;

  friend bool operator==(const KeyRecord&, const KeyRecord&) = default;
};

// One durable write the core asks for. Either part may be absent (unchanged). When
// `applied` is present the key's applied state changed: the store assigns it the next
// change index. All records of one Ready must be written atomically and synced before
// any message or completion of that Ready leaves the replica.
struct PersistRecord {
  std::string key;
  std::optional<AcceptorRecord> acceptor;
  std::optional<AppliedRecord> applied;
};

// Read access to what was persisted. The core loads a key lazily on first use, so a
// replica's start-up does not replay anything.
class StateReader {
 public:
  virtual ~StateReader() = default;
  // The persisted record of `key`, or a default (empty) record if there is none.
  virtual KeyRecord load(std::string_view key) const = 0;
};

}  // namespace paxoskv::consensus

// Basic vocabulary of the consensus core: ids, versions and a key's state.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/build_variant.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

using NodeId = std::uint32_t;
// A key's version: 0 while it never existed, +1 per successful change. Slot s of a key's
// Paxos instances decides the key's state at version s.
using Version = std::uint64_t;
using Slot = std::uint64_t;
using TimeMs = std::uint64_t;
using RequestId = std::uint64_t;

// The whole state of a key after a change: its value, or nullopt while absent (never
// written, or deleted). Each chosen slot carries a complete state, never a delta, so a
// replica that missed versions catches up by adopting the latest one.
using KeyValue = std::optional<std::string>;

// A proposal number: (round, proposer id). Totally ordered, and unique because a
// proposer only ever uses its own id and never reuses a round (see Proposer).
struct Ballot {
  std::uint64_t round = 0;
  NodeId node = 0;

  friend auto operator<=>(const Ballot&, const Ballot&) = default;
  bool is_zero() const { return round == 0 && node == 0; }
};

// Which client write a proposed value carries: the replica that took the write from its
// client, and a number that replica never uses twice, not even after a restart (see
// CoreConfig::incarnation). A write keeps its id when another replica proposes it (a
// forwarded write, a recovered value), which is how it is recognised, and never applied
// twice, whoever gets it chosen.
struct OpId {
  NodeId node = 0;
  std::uint64_t seq = 0;

  friend auto operator<=>(const OpId&, const OpId&) = default;
  bool is_zero() const { return node == 0 && seq == 0; }
};

// For one key and one replica: the latest of that replica's writes chosen for the key,
// and the version it made. A replica's writes to a key are chosen in the order of their
// seq (see Forwarding), so a write whose seq is at or below the mark is decided: it was chosen
// (at `version`) if the seq is the mark's, and must never be proposed again.
struct WriterMark {
  NodeId node = 0;
  std::uint64_t seq = 0;
  Version version = 0;

  friend bool operator==(const WriterMark&, const WriterMark&) = default;
};

// One mark per replica that ever wrote the key, ordered by node. Part of every chosen
// state: the state at version v carries the marks of all writes chosen up to v.
using WriterMarks = std::vector<WriterMark>;

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

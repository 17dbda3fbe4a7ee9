// Basic vocabulary of the consensus core: ids, versions and a key's state.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

namespace paxoskv::consensus {

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

}  // namespace paxoskv::consensus

// The answers of one round (promises, acceptances, read replies): each replica counts
// once, and a majority of the members decides.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/types.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class QuorumTally {
 public:
  // A tally that no count reaches: no round is under way.
  QuorumTally() = default;
  // A new round's tally, decided by `quorum` distinct voters.
  explicit QuorumTally(std::size_t quorum) : quorum_(quorum) {}

  // Counts `voter`'s answer; false if it was counted already (a duplicate).
  bool add(NodeId voter) {
    if (counted(voter)) return false;
    voters_.push_back(voter);
    return true;
  }

  bool counted(NodeId voter) const {
    return std::find(voters_.begin(), voters_.end(), voter) != voters_.end();
  }

  bool reached() const { return voters_.size() >= quorum_; }

 private:
  std::size_t quorum_ = std::numeric_limits<std::size_t>::max();
  std::vector<NodeId> voters_;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

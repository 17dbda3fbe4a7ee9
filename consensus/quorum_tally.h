// The answers of one round (promises, acceptances, read replies): each replica counts
// once, and the round's QuorumRule decides (a majority of the members; while a change
// runs, a majority of the leaving members too).
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/configuration.h"
#include "consensus/types.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class QuorumTally {
 public:
  // A tally that no count reaches: no round is under way.
  QuorumTally() = default;
  // A new round's tally, decided by `rule`.
  explicit QuorumTally(QuorumRule rule) : rule_(std::move(rule)) {}

  // Counts `voter`'s answer; false if it was counted already (a duplicate).
  bool add(NodeId voter) {
    if (counted(voter)) return false;
    voters_.push_back(voter);
    return true;
  }

  bool counted(NodeId voter) const {
    return std::find(voters_.begin(), voters_.end(), voter) != voters_.end();
  }

  bool reached() const { return rule_.reached_by(voters_); }

 private:
  QuorumRule rule_;  // empty: never reached
  std::vector<NodeId> voters_;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

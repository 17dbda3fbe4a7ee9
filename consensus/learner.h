// The learner: makes chosen states the key's applied state, whether it learns them from a
// Commit (it holds the accepted value), from a chosen state sent whole (catch-up), or from
// a read reply; and asks peers when an accepted proposal waits too long for its commit.
#pragma once

#include <optional>
#include <string>

#include "consensus/build_variant.h"
#include "consensus/messages.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class CoreContext;
struct KeyState;
struct Roles;

// The learner's part of a key's state: an accepted proposal with no commit yet makes it
// ask peers whether the slot was chosen.
struct LearnerState {
  TimeMs accepted_at = 0;
  unsigned catch_up_asks = 0;
};

// The key's applied state, as sent to a replica behind it.
CatchUpReply chosen_state(const std::string& key, const KeyState& ks);

// An accepted proposal for a slot the applied state covers is settled: forget it.
void drop_settled_proposal(KeyState& ks);

class Learner {
 public:
  Learner(CoreContext& context, Roles& roles) : context_(context), roles_(roles) {}

  // Makes `chosen` the key's applied state if it is newer, and settles what depended on
  // the slots it covers. `our_ballot`: the ballot under which our proposer got it chosen,
  // if it did.
  void apply(const std::string& key, KeyState& ks, AppliedRecord chosen,
             std::optional<Ballot> our_ballot);
  // Our acceptor accepted a proposal: its commit is awaited from now.
  void await_commit(KeyState& ks);

  void on(NodeId from, Commit& m);
  void on(NodeId from, CatchUpRequest& m);
  void on(NodeId from, CatchUpReply& m);

  // Asks peers whether an accepted proposal that waited too long was chosen.
  void tick(const std::string& key, KeyState& ks);
  // Whether the key waits for a commit that the learner will still ask for.
  static bool busy(const KeyState& ks);

 private:
  CoreContext& context_;
  Roles& roles_;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

// The proposer: gets the key's writes chosen one slot at a time, with phase 1 (prepare,
// promise) when it holds no majority's promise, and a thrifty phase 2 (accept, accepted);
// backs off at random when it meets a higher ballot.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/messages.h"
#include "consensus/operation.h"
#include "consensus/quorum_tally.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class CoreContext;
struct KeyState;
struct Roles;

enum class ProposerPhase { kIdle, kPreparing, kAccepting };

// The proposer's part of a key's state.
struct ProposerState {
  ProposerPhase phase = ProposerPhase::kIdle;
  Ballot ballot;        // the ballot of our current or last phase
  bool leader = false;  // a majority promised `ballot` for every open slot
  Slot slot = 0;        // the slot of the current phase
  QuorumTally votes;    // promises (phase 1) or acceptances (phase 2) of this phase
  std::optional<AcceptedProposal> highest_accepted;  // among the promises
  // Who promised, and the write of the value each had accepted in the slot, if any.
  std::vector<std::pair<NodeId, std::optional<OpId>>> promise_reports;
  KeyValue proposal_value;
  std::uint64_t proposal_lease = 0;
  OpId proposal_op;
  // Who phase 2 asked (see Peers::phase2_targets), and when.
  std::vector<NodeId> accept_targets;
  TimeMs accept_sent_at = 0;
  TimeMs phase_started_at = 0;
  TimeMs phase_deadline = 0;
  TimeMs backoff_until = 0;
  Ballot highest_seen;  // the highest promise a reject told us of
  unsigned conflicts_in_row = 0;
};

class Proposer {
 public:
  Proposer(CoreContext& context, Roles& roles);

  // Our client's write: queued behind the key's other writes.
  void submit(const std::string& key, KeyState& ks, RequestId id, Operation op, TimeMs deadline);
  // Moves the key's writes forward if the proposer is free.
  void drive(const std::string& key, KeyState& ks);

  void on(NodeId from, Promise& m);
  void on(NodeId from, Accepted& m);
  void on(NodeId from, Reject& m);
  // Another proposer with a higher ballot is at work on this key: whatever promise we
  // held is no longer a majority's.
  void notice_ballot(KeyState& ks, const Ballot& ballot);
  // A peer asked to catch up from version `have`.
  void on_peer_behind(const std::string& key, KeyState& ks, NodeId peer, Version have);
  // The learner applied a newer state, chosen by us if `chosen_by_us`.
  void on_applied(const std::string& key, KeyState& ks, bool chosen_by_us);
  // A new configuration is in force: leadership won under the previous one is gone, and
  // a phase under way stops (answers to it were counted under the previous rule).
  void on_configuration_changed(const std::string& key, KeyState& ks);
  // A key just loaded from the store: restores the leadership it had when it left memory.
  void restore_leadership(KeyState& ks) const;

  // Retries a phase unanswered too long, and spreads a late phase 2 to everyone.
  void tick(const std::string& key, KeyState& ks);
  // Fails the writes whose deadline passed.
  void expire_writes(const std::string& key, KeyState& ks);
  // Whether the key has writes or a phase under way.
  static bool busy(const KeyState& ks);

 private:
  static bool count_vote(ProposerState& p, ProposerPhase phase, NodeId from, const Ballot& ballot,
                         Slot slot);
  void settle_decided_ops(const std::string& key, KeyState& ks);
  void start_prepare(const std::string& key, KeyState& ks);
  void on_prepared(const std::string& key, KeyState& ks);
  bool highest_is_expiry(const std::string& key, const ProposerState& p) const;
  bool highest_cannot_be_chosen(const std::string& key, const ProposerState& p) const;
  bool awaits_more_promises(const std::string& key, const ProposerState& p) const;
  void start_accept(const std::string& key, KeyState& ks, KeyValue value, std::uint64_t lease,
                    OpId op, bool for_head_op);
  Accept current_accept(const std::string& key, const KeyState& ks) const;
  Prepare current_prepare(const std::string& key, const KeyState& ks) const;
  bool finish_carries(const std::string& key, KeyState& ks);
  void spread_accept(const std::string& key, KeyState& ks);
  void abandon_phase(KeyState& ks);
  void give_up_refused_expiry(const std::string& key, KeyState& ks);
  void forget_led_ballot(const std::string& key, KeyState& ks);

  CoreContext& context_;
  Roles& roles_;
  std::mt19937_64 rng_;  // for the randomized backoff
  std::uint64_t next_op_seq_ = 0;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

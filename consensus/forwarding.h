// Forwarding: a write for a key another replica is proposing is handed to that replica
// instead of dueling it, taken back if that replica goes quiet, and answered to whoever
// took it from its client. Also the receiving side: writes other replicas forwarded here,
// remembered (SeenForwards) so that duplicates and withdrawals find their answer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/messages.h"
#include "consensus/pending_op.h"
#include "consensus/seen_forwards.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class CoreContext;
struct KeyState;
struct Roles;

// A write taken back from a quiet replica that failed its precondition here: it waits for
// that replica to say what became of it there (see Proposer::on_prepared).
struct ParkedOp {
  PendingOp op;
  Completion answer;  // ours, given once the other replica withdrew the op
  TimeMs asked_at = 0;
};

// Forwarding's part of a key's state.
struct ForwardingState {
  std::vector<ParkedOp> parked;
  NodeId leader_hint = 0;                     // the replica last seen proposing this key
  std::uint64_t leader_hint_incarnation = 0;  // in which life
  TimeMs leader_hint_at = 0;
  TimeMs forward_progress_at = 0;  // last sign of life for writes we forwarded
};

class Forwarding {
 public:
  Forwarding(CoreContext& context, Roles& roles) : context_(context), roles_(roles) {}

  // Hands the write at the head of the queue to the replica proposing this key; false if
  // it stays here.
  bool forward_to_leader(const std::string& key, KeyState& ks);
  // `node`, in life `incarnation`, was seen proposing the key.
  void note_leader(KeyState& ks, NodeId node, std::uint64_t incarnation);
  // Answers a write: to our client, or to the replica that forwarded it to us.
  void answer(const std::string& key, const PendingOp& op, Outcome outcome, Version version,
              KeyValue value = std::nullopt);
  // A taken-back write failed its precondition here: ask the replica it was taken back
  // from to withdraw it, and keep `answer` until it did.
  void park(const std::string& key, KeyState& ks, PendingOp op, Completion answer);
  // Answers the parked write the applied state shows chosen: the replica it was taken
  // back from proposed it after all.
  void settle_parked(KeyState& ks);

  void on(NodeId from, ForwardRequest& m);
  void on(NodeId from, ForwardWithdraw& m);
  void on(NodeId from, ForwardWithdrawn& m);
  void on(NodeId from, ForwardReply& m);

  // Fails parked writes whose deadline passed, and asks again for the others.
  void expire_parked(const std::string& key, KeyState& ks);
  // Takes back the head write from a replica that went quiet.
  void take_back_from_quiet_leader(KeyState& ks);
  // Forgets forwarded writes remembered long enough.
  void forget_old();
  // Whether the key has parked writes.
  static bool busy(const KeyState& ks);

 private:
  TimeMs forward_memory_ms(TimeMs write_timeout_ms) const;

  CoreContext& context_;
  Roles& roles_;
  SeenForwards seen_forwards_;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

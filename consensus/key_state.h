// Everything one replica's core holds in memory for one key: the persisted acceptor and
// applied records, and the volatile proposer, reader and learner state.
#pragma once

#include <optional>
#include <vector>

#include "consensus/operation.h"
#include "consensus/records.h"

namespace paxoskv::consensus {

struct PendingOp {
  RequestId id = 0;  // our client's request (unused when forwarded_from is set)
  Operation op;
  OpId op_id;
  TimeMs deadline = 0;
  TimeMs submitted_at = 0;
  // The slot we last proposed this op in; 0 while not proposed, or once that slot is
  // known to have gone to another write.
  Slot proposed_slot = 0;
  // Set when another replica forwarded this op to us: the answer goes back to it.
  NodeId forwarded_from = 0;
  // Set while we wait for the replica we handed this op to (see Core), with the life of
  // it we handed it to (0: not known).
  NodeId forwarded_to = 0;
  std::uint64_t forwarded_to_incarnation = 0;
  // The replica we stopped waiting for: it may still propose the op. Never handed again.
  NodeId taken_back_from = 0;
};

struct ParkedOp {
  PendingOp op;
  Completion answer;  // ours, given once the other replica withdrew the op
  TimeMs asked_at = 0;
};

struct PendingRead {
  RequestId id = 0;
  TimeMs deadline = 0;
  TimeMs submitted_at = 0;
  unsigned rinses = 0;
};

// A read that must not answer before this replica applied `target`.
struct WaitingRead {
  PendingRead read;
  Version target = 0;
  TimeMs since = 0;
};

struct ReadRound {
  std::uint64_t id = 0;
  std::vector<PendingRead> reads;
  std::vector<NodeId> replied;
  Version max_version = 0;
  Slot max_accepted_slot = 0;
  TimeMs started = 0;
};

enum class ProposerPhase { kIdle, kPreparing, kAccepting };

struct KeyState {
  // Mirrors of what is persisted.
  AcceptorRecord acceptor;
  AppliedRecord applied;
  std::uint64_t change_index = 0;  // see KeyRecord
  bool acceptor_apart = false;

  // Proposer.
  ProposerPhase phase = ProposerPhase::kIdle;
  Ballot ballot;               // the ballot of our current or last phase
  bool leader = false;         // a majority promised `ballot` for every open slot
  Slot slot = 0;               // the slot of the current phase
  std::vector<NodeId> voters;  // promised (phase 1) or accepted (phase 2) this phase
  std::optional<AcceptedProposal> highest_accepted;  // among the promises
  KeyValue proposal_value;
  OpId proposal_op;
  // Who phase 2 asked (see Core::phase2_targets), and when.
  std::vector<NodeId> accept_targets;
  TimeMs accept_sent_at = 0;
  TimeMs phase_started_at = 0;
  TimeMs phase_deadline = 0;
  TimeMs backoff_until = 0;
  Ballot highest_seen;  // the highest promise a reject told us of
  unsigned conflicts_in_row = 0;
  std::vector<PendingOp> ops;  // client writes, one proposal at a time, in order
  // Writes taken back from a quiet replica that failed their precondition here: they wait
  // for that replica to say what became of them there (see Core::on_prepared).
  std::vector<ParkedOp> parked;
  bool recover_requested = false;             // run phase 1 to settle the open slot, for reads
  NodeId leader_hint = 0;                     // the replica last seen proposing this key
  std::uint64_t leader_hint_incarnation = 0;  // in which life
  TimeMs leader_hint_at = 0;
  TimeMs forward_progress_at = 0;  // last sign of life for writes we forwarded

  // Linearizable reads.
  std::vector<PendingRead> reads_waiting;  // for the next round
  std::optional<ReadRound> read_round;
  std::vector<WaitingRead> reads_until_applied;

  // The number of the last Ready that persisted this key's records: the key may be
  // evicted (and reloaded from the store) once that Ready is persisted.
  std::uint64_t persisted_in = 0;

  // Learner: an accepted proposal with no commit yet makes us ask peers.
  TimeMs accepted_at = 0;
  unsigned catch_up_asks = 0;
};

}  // namespace paxoskv::consensus

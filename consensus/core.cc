#include "consensus/core.h"

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <unordered_map>
#include <utility>

#include "consensus/key_state.h"
#include "consensus/operation_eval.h"
#include "consensus/seen_forwards.h"
#include "consensus/writer_marks.h"

namespace paxoskv::consensus {

namespace {

// An acceptor holding an accepted proposal this long without a commit asks its peers
// whether the slot was chosen.
constexpr TimeMs kCatchUpAfterMs = 500;
constexpr unsigned kMaxCatchUpAsks = 5;
// A read waiting for an in-flight slot to settle re-reads after this long, and after
// this many re-reads runs phase 1 itself to settle the slot.
constexpr TimeMs kRinseAfterMs = 20;
constexpr unsigned kRinsesBeforeRecovery = 3;
// Writes go to a replica seen proposing the key this recently, instead of dueling it.
constexpr TimeMs kLeaderHintFreshMs = 300;
// Phase 2 first goes to a majority only (see phase2_targets); if one of them has not
// answered after this long, it goes to every replica.
constexpr TimeMs kSpreadAcceptAfterMs = 30;
// A peer that owes us an answer this long is passed over by phase 2 until it speaks.
constexpr TimeMs kSlowPeerAfterMs = 100;
// A peer that let an accept go late is passed over this long, whatever else it sends (it
// may hear nothing from us while we hear from it).
constexpr TimeMs kLatePeerPassedOverMs = 1000;
constexpr unsigned kOpSeqCounterBits = 40;

bool is_acceptor_answer(const Message& message) {
  return std::holds_alternative<Promise>(message) || std::holds_alternative<Accepted>(message) ||
         std::holds_alternative<Reject>(message) || std::holds_alternative<ReadReply>(message);
}

bool contains(const std::vector<NodeId>& nodes, NodeId node) {
  return std::find(nodes.begin(), nodes.end(), node) != nodes.end();
}

// Messages the receiver answers: sending one makes the peer owe us a message.
bool expects_answer(const Message& message) {
  return std::holds_alternative<Prepare>(message) || std::holds_alternative<Accept>(message) ||
         std::holds_alternative<ReadQuery>(message) ||
         std::holds_alternative<CatchUpRequest>(message) ||
         std::holds_alternative<ForwardRequest>(message) ||
         std::holds_alternative<ForwardWithdraw>(message);
}

}  // namespace

class Core::Impl {
 public:
  Impl(CoreConfig config, const StateReader& reader)
      : config_(std::move(config)),
        reader_(reader),
        rng_(config_.seed),
        next_op_seq_(config_.incarnation << kOpSeqCounterBits),
        last_change_index_(reader.change_index()) {
    quorum_ = config_.members.size() / 2 + 1;
    for (NodeId member : config_.members) {
      if (member != config_.self) peers_.push_back(member);
    }
  }

  void submit(RequestId id, const std::string& key, Operation op, TimeMs deadline) {
    KeyState& ks = state(key);
    if (std::holds_alternative<ReadOp>(op)) {
      ks.reads_waiting.push_back(PendingRead{id, deadline, now_, 0});
      start_read_round(key, ks);
    } else {
      ks.ops.push_back(PendingOp{id, std::move(op), OpId{config_.self, ++next_op_seq_}, deadline,
                                 now_, 0, 0, 0, 0, 0});
      drive(key, ks);
    }
    flush_local();
  }

  void receive(NodeId from, Message message) {
    if (!contains(config_.members, from)) return;
    owes_since_.erase(from);
    handle(from, std::move(message));
    flush_local();
  }

  void tick(TimeMs now) {
    now_ = std::max(now_, now);
    std::vector<std::string> keys(active_.begin(), active_.end());
    for (const std::string& key : keys) {
      auto it = keys_.find(key);
      if (it == keys_.end()) {
        active_.erase(key);
        continue;
      }
      tick_key(key, it->second);
      if (!is_active(it->second)) active_.erase(key);
    }
    seen_forwards_.forget_old(now_);
    evict_idle_keys();
    flush_local();
    for (PersistRecord& record : late_persist_) {
      ready_.persist.push_back(std::move(record));
      ready_.sync = true;
    }
    late_persist_.clear();
  }

  bool has_ready() const { return !ready_.empty(); }

  Ready take_ready() {
    ready_.number = ++readies_taken_;
    return std::exchange(ready_, Ready{});
  }

  void on_persisted(std::uint64_t number) {
    readies_persisted_ = std::max(readies_persisted_, number);
  }

  const CoreCounters& counters() const { return counters_; }
  std::size_t cached_keys() const { return keys_.size(); }

 private:
  // ---- key state ------------------------------------------------------------------

  KeyState& state(const std::string& key) {
    auto it = keys_.find(key);
    if (it == keys_.end()) {
      KeyRecord record = reader_.load(key);
      it = keys_.emplace(key, KeyState{}).first;
      KeyState& ks = it->second;
      ks.acceptor = std::move(record.acceptor);
      ks.applied = std::move(record.applied);
      ks.change_index = record.change_index;
      ks.acceptor_apart = record.acceptor_apart;
      drop_settled_proposal(ks);  // a store written by an earlier version may still hold it
      // Phase 1 for `led` completed in this life of the replica; nothing was proposed under
      // it after its last chosen value (our own acceptor would hold that proposal, as it
      // accepts everything its proposer sends); and our acceptor promised no one else
      // since. So the majority's promise of `led` still covers the open slot as far as we
      // know, exactly as when the key left memory with its leadership (see drive()). A
      // promise given elsewhere meanwhile only makes the accept fail.
      const bool same_life = ks.acceptor.led_incarnation == config_.incarnation ||
                             config_.planted_bug == PlantedBug::kLeadershipSurvivesRestart;
      if (same_life && !ks.acceptor.led.is_zero() && ks.acceptor.led == ks.acceptor.promised &&
          !ks.acceptor.accepted) {
        ks.ballot = ks.acceptor.led;
        ks.leader = true;
      }
    }
    active_.insert(key);  // re-checked at the next tick
    return it->second;
  }

  // An accepted proposal for a slot the applied state covers is settled: forget it.
  static void drop_settled_proposal(KeyState& ks) {
    if (ks.acceptor.accepted && ks.acceptor.accepted->slot <= ks.applied.version) {
      ks.acceptor.accepted.reset();
    }
  }

  bool is_active(const KeyState& ks) const {
    return ks.phase != ProposerPhase::kIdle || !ks.ops.empty() || !ks.parked.empty() ||
           !ks.reads_waiting.empty() || ks.read_round.has_value() ||
           !ks.reads_until_applied.empty() || ks.recover_requested ||
           (ks.acceptor.accepted && ks.catch_up_asks < kMaxCatchUpAsks);
  }

  // Forgets idle keys whose records are persisted, down to 90% of max_cached_keys: they
  // are reloaded from the reader when used.
  void evict_idle_keys() {
    if (keys_.size() <= config_.max_cached_keys) return;
    const std::size_t target = config_.max_cached_keys - config_.max_cached_keys / 10;
    for (auto it = keys_.begin(); it != keys_.end() && keys_.size() > target;) {
      const bool evictable = !is_active(it->second) && !active_.contains(it->first) &&
                             it->second.persisted_in <= readies_persisted_;
      it = evictable ? keys_.erase(it) : std::next(it);
    }
  }

  // A promise or acceptance: synced before any answer states it.
  void persist_acceptor(const std::string& key, KeyState& ks) {
    ks.acceptor_apart = true;
    if (config_.planted_bug == PlantedBug::kAcceptorPersistsLate) {
      late_persist_.push_back(PersistRecord{key, ks.acceptor, std::nullopt});
      return;
    }
    ks.persisted_in = readies_taken_ + 1;  // the Ready being built
    ready_.persist.push_back(PersistRecord{key, ks.acceptor, std::nullopt});
    if (config_.planted_bug != PlantedBug::kPromiseNotSynced) ready_.sync = true;
  }

  // A new applied state, with the acceptor record, at the next place of the change log.
  void persist_applied(const std::string& key, KeyState& ks) {
    ks.persisted_in = readies_taken_ + 1;
    PersistRecord record{key, ks.acceptor, ks.applied};
    record.change_index = ++last_change_index_;
    record.replaces_change_index = std::exchange(ks.change_index, record.change_index);
    record.acceptor_apart = ks.acceptor_apart;
    ks.acceptor_apart = ks.acceptor.accepted.has_value();  // then it stays apart
    ready_.persist.push_back(std::move(record));
  }

  // ---- messaging --------------------------------------------------------------------

  void send(NodeId to, Message message) {
    if (to == config_.self) {
      // Our own acceptor's answers count only once what they state is durable, exactly
      // like a peer's: they go out through the Ready and come back through receive().
      if (is_acceptor_answer(message)) {
        ready_.messages.push_back(Outbound{to, std::move(message)});
      } else {
        local_.push_back(std::move(message));
      }
    } else {
      if (expects_answer(message)) owes_since_.emplace(to, now_);  // keeps the oldest
      ready_.messages.push_back(Outbound{to, std::move(message)});
    }
  }

  void broadcast(const Message& message) {
    for (NodeId member : config_.members) send(member, message);
  }

  void send_to_peers(const Message& message) {
    for (NodeId member : config_.members) {
      if (member != config_.self) send(member, message);
    }
  }

  // Messages to ourselves are handled at once: nothing they cause leaves the replica
  // before the Ready's records are persisted, so this keeps persist-before-send.
  void flush_local() {
    while (!local_.empty()) {
      Message message = std::move(local_.front());
      local_.pop_front();
      handle(config_.self, std::move(message));
    }
  }

  void complete(RequestId id, Outcome outcome, Version version, KeyValue value = std::nullopt) {
    ready_.completions.push_back(Completion{id, outcome, version, std::move(value)});
  }

  // Answers a write: to our client, or to the replica that forwarded it to us.
  void finish(const std::string& key, const PendingOp& op, Outcome outcome, Version version,
              KeyValue value = std::nullopt) {
    if (op.forwarded_from != 0) {
      seen_forwards_.set_answer(op.op_id, SeenForwards::Answer{outcome, version}, now_);
      // A chosen write needs no answer: every chosen state goes to every replica, and the
      // writer mark in it settles the write where it came from (see settle_decided_ops),
      // as soon as the Commit or state arrives. If that is lost, the sender takes the
      // write back, finds it settled, or asks us (ForwardWithdraw).
      if (outcome == Outcome::kOk) return;
      send(op.forwarded_from, ForwardReply{key, op.op_id.seq, static_cast<std::uint8_t>(outcome),
                                           version, std::move(value), config_.incarnation});
      return;
    }
    complete(op.id, outcome, version, std::move(value));
  }

  void complete_read(const PendingRead& read, const KeyState& ks) {
    if (ks.applied.value) {
      complete(read.id, Outcome::kOk, ks.applied.version, ks.applied.value);
    } else {
      complete(read.id, Outcome::kNotFound, ks.applied.version);
    }
  }

  void handle(NodeId from, Message message) {
    std::visit([&](auto& m) { on(from, m); }, message);
  }

  // ---- acceptor ---------------------------------------------------------------------

  // Another proposer with a higher ballot is at work on this key: whatever promise we
  // held is no longer a majority's.
  void notice_ballot(KeyState& ks, const Ballot& ballot) {
    if (ballot.node != config_.self && ballot > ks.ballot) ks.leader = false;
  }

  void on(NodeId from, Prepare& m) {
    KeyState& ks = state(m.key);
    notice_ballot(ks, m.ballot);
    if (m.slot <= ks.applied.version) {
      send(from, chosen_state(m.key, ks));
      return;
    }
    if (m.ballot < ks.acceptor.promised) {
      send(from, Reject{m.key, m.slot, m.ballot, ks.acceptor.promised});
      return;
    }
    if (m.ballot > ks.acceptor.promised) {
      ks.acceptor.promised = m.ballot;
      ks.acceptor.promised_incarnation = m.incarnation;
      persist_acceptor(m.key, ks);
    }
    std::optional<AcceptedProposal> accepted;
    if (ks.acceptor.accepted && ks.acceptor.accepted->slot == m.slot) {
      accepted = ks.acceptor.accepted;
    }
    send(from, Promise{m.key, m.slot, m.ballot, std::move(accepted)});
  }

  void on(NodeId from, Accept& m) {
    KeyState& ks = state(m.key);
    notice_ballot(ks, m.ballot);
    if (m.slot <= ks.applied.version) {
      send(from, chosen_state(m.key, ks));
      return;
    }
    if (m.ballot < ks.acceptor.promised &&
        config_.planted_bug != PlantedBug::kAcceptorIgnoresPromise) {
      send(from, Reject{m.key, m.slot, m.ballot, ks.acceptor.promised});
      return;
    }
    if (m.slot > ks.applied.version + 1) {
      // We missed chosen slots: accepting now would drop our record of the open slot
      // before its value is known here. Ask to catch up; the proposer re-sends.
      send(from, CatchUpRequest{m.key, ks.applied.version});
      return;
    }
    if (m.ballot > ks.acceptor.promised) {
      ks.acceptor.promised = m.ballot;
      ks.acceptor.promised_incarnation = m.incarnation;
    }
    note_leader(ks, m.ballot.node, m.incarnation);
    ks.acceptor.accepted = AcceptedProposal{m.slot, m.ballot, std::move(m.value), m.op};
    ks.accepted_at = now_;
    ks.catch_up_asks = 0;
    persist_acceptor(m.key, ks);
    send(from, Accepted{m.key, m.slot, m.ballot});
  }

  void on(NodeId from, Commit& m) {
    KeyState& ks = state(m.key);
    notice_ballot(ks, m.ballot);
    note_leader(ks, m.ballot.node, m.incarnation);
    if (m.slot <= ks.applied.version) return;
    const auto& accepted = ks.acceptor.accepted;
    if (accepted && accepted->slot == m.slot && accepted->ballot == m.ballot) {
      AppliedRecord chosen{m.slot, accepted->value,
                           with_write(ks.applied.writers, accepted->op, m.slot)};
      apply(m.key, ks, std::move(chosen), /*chosen_by_us=*/false);
      drive(m.key, ks);
    } else {
      send(from, CatchUpRequest{m.key, ks.applied.version});
    }
  }

  void on(NodeId from, CatchUpRequest& m) {
    KeyState& ks = state(m.key);
    if (ks.applied.version > m.have) send(from, chosen_state(m.key, ks));
    // A peer behind our in-flight proposal can accept it once it has caught up.
    if (ks.phase == ProposerPhase::kAccepting && ks.slot == ks.applied.version + 1 &&
        m.have < ks.applied.version) {
      if (!contains(ks.accept_targets, from)) ks.accept_targets.push_back(from);
      send(from, current_accept(m.key, ks));
    }
  }

  void on(NodeId, CatchUpReply& m) {
    KeyState& ks = state(m.key);
    if (m.version <= ks.applied.version) return;
    ++counters_.catch_ups;
    apply(m.key, ks, AppliedRecord{m.version, std::move(m.value), std::move(m.writers)}, false);
    drive(m.key, ks);
  }

  void on(NodeId from, ReadQuery& m) {
    KeyState& ks = state(m.key);
    ReadReply reply{m.key, m.read_id, ks.applied.version, std::nullopt, {}, 0};
    if (ks.applied.version > m.have) {
      reply.state = ks.applied.value;
      reply.writers = ks.applied.writers;
    }
    if (ks.acceptor.accepted) reply.accepted_slot = ks.acceptor.accepted->slot;
    send(from, std::move(reply));
  }

  // Anti-entropy is the node's business.
  void on(NodeId, SyncRequest&) {}
  void on(NodeId, SyncReply&) {}

  CatchUpReply chosen_state(const std::string& key, const KeyState& ks) const {
    return CatchUpReply{key, ks.applied.version, ks.applied.value, ks.applied.writers};
  }

  // ---- learner ----------------------------------------------------------------------

  // Makes `chosen` the key's applied state if it is newer, and settles what depended on
  // the slots it covers.
  void apply(const std::string& key, KeyState& ks, AppliedRecord chosen, bool chosen_by_us) {
    if (chosen.version <= ks.applied.version) return;
    counters_.versions_skipped += chosen.version - ks.applied.version - 1;
    ks.applied = std::move(chosen);
    // The settled proposal goes: the applied state is written with the acceptor record,
    // which then holds no accepted proposal (see PersistRecord).
    drop_settled_proposal(ks);
    if (chosen_by_us) {
      ks.acceptor.led = ks.ballot;
      ks.acceptor.led_incarnation = config_.incarnation;
    }
    persist_applied(key, ks);

    if (!chosen_by_us) {
      // Someone else decided a slot: our promise (if any) may be gone, and a phase for a
      // slot now decided is moot.
      ks.leader = false;
      if (ks.phase != ProposerPhase::kIdle && ks.slot <= ks.applied.version) {
        ks.phase = ProposerPhase::kIdle;
      }
    }
    settle_decided_ops(key, ks);

    auto& waiting = ks.reads_until_applied;
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (it->target <= ks.applied.version) {
        complete_read(it->read, ks);
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
    if (waiting.empty()) ks.recover_requested = false;
  }

  // Answers the writes at the head of the queue that the applied state shows decided
  // (see WriterMark), and notes a head op whose slot went to another write. A parked
  // write the state shows chosen is answered too: the replica it was taken back from
  // proposed it after all.
  void settle_decided_ops(const std::string& key, KeyState& ks) {
    const WriterMark own_mark = mark_of(ks.applied.writers, config_.self);
    std::erase_if(ks.parked, [&](ParkedOp& parked) {
      if (own_mark.seq != parked.op.op_id.seq) return false;
      const auto* put = std::get_if<PutOp>(&parked.op.op);
      complete(parked.op.id, Outcome::kOk, own_mark.version,
               put ? KeyValue{put->value} : std::nullopt);
      return true;
    });
    while (!ks.ops.empty()) {
      PendingOp& head = ks.ops.front();
      const WriterMark mark = mark_of(ks.applied.writers, head.op_id.node);
      const bool planted = config_.planted_bug == PlantedBug::kTakenBackWriteIgnoresMarks &&
                           head.taken_back_from != 0 && head.proposed_slot == 0;
      if (mark.seq < head.op_id.seq || planted) {
        if (head.proposed_slot != 0 && head.proposed_slot <= ks.applied.version) {
          head.proposed_slot = 0;  // that slot is decided, and not for this op
        }
        return;
      }
      if (mark.seq == head.op_id.seq) {
        const auto* put = std::get_if<PutOp>(&head.op);
        finish(key, head, Outcome::kOk, mark.version, put ? KeyValue{put->value} : std::nullopt);
      } else if (head.forwarded_to != 0) {
        return;  // a later write of ours is chosen; the replica this one went to knows more
      } else {
        // A later write of the same replica was chosen: this one never will be now, but
        // whether it was before is not known here. Like a timeout.
        ++counters_.unknown_outcomes;
        finish(key, head, Outcome::kUnknown, ks.applied.version);
      }
      ks.ops.erase(ks.ops.begin());
    }
  }

  // ---- proposer ---------------------------------------------------------------------

  // Moves the key's writes forward if the proposer is free.
  void drive(const std::string& key, KeyState& ks) {
    if (ks.phase != ProposerPhase::kIdle || now_ < ks.backoff_until) return;
    settle_decided_ops(key, ks);
    if (ks.ops.empty()) {
      if (ks.recover_requested) start_prepare(key, ks);
      return;
    }
    if (ks.ops.front().forwarded_to != 0) return;  // its answer comes first
    if (!ks.leader) {
      if (forward_to_leader(key, ks)) return;
      start_prepare(key, ks);
      return;
    }
    // Fast path: we hold a majority's promise for every open slot. A precondition that
    // fails on our local state is not trusted (a newer state may exist elsewhere): it
    // is confirmed by phase 1, which reads the latest state.
    Evaluation evaluation = evaluate(ks.ops.front().op, ks.applied);
    if (!evaluation.applies) {
      start_prepare(key, ks);
      return;
    }
    ++counters_.fast_path_rounds;
    start_accept(key, ks, std::move(evaluation.new_value), ks.ops.front().op_id, true);
  }

  // Hands the write at the head of the queue to the replica proposing this key, instead
  // of dueling it. Only a write never proposed nor taken back here, and one at a time:
  // the next waits for its answer, so that a replica's writes to a key reach whoever
  // proposes them in the order of their ids, which WriterMark relies on (the network may
  // reorder messages).
  bool forward_to_leader(const std::string& key, KeyState& ks) {
    // The replica seen proposing the key lately; else the one that ran phase 1 last as our
    // acceptor saw it, which likely still leads the key (it may have been idle for long).
    const bool hint_fresh = ks.leader_hint != 0 && now_ < ks.leader_hint_at + kLeaderHintFreshMs;
    const NodeId leader = hint_fresh ? ks.leader_hint : ks.acceptor.promised.node;
    const std::uint64_t leader_incarnation =
        hint_fresh ? ks.leader_hint_incarnation : ks.acceptor.promised_incarnation;
    PendingOp& head = ks.ops.front();
    if (leader == 0 || leader == config_.self || unreachable_.contains(leader) ||
        head.proposed_slot != 0 || head.forwarded_from != 0 || head.taken_back_from != 0) {
      return false;
    }
    ForwardRequest request{key, head.op_id.seq, false, {}, std::nullopt, 0};
    if (const auto* put = std::get_if<PutOp>(&head.op)) {
      request.value = put->value;
      request.expected = put->expected;
    } else {
      request.remove = true;
      request.expected = std::get<DeleteOp>(head.op).expected;
    }
    // Time left, capped to what the field holds (about 49 days): a wrapped value would
    // shorten how long the leader keeps the write.
    request.timeout_ms = static_cast<std::uint32_t>(
        std::min<TimeMs>(head.deadline > now_ ? head.deadline - now_ : 0, UINT32_MAX));
    head.forwarded_to = leader;
    head.forwarded_to_incarnation = leader_incarnation;
    ks.forward_progress_at = now_;
    ++counters_.forwards;
    send(leader, std::move(request));
    return true;
  }

  // The replica we handed a write to showed no sign of life on the key for a retry
  // timeout: it may be hung or cut off. Take the write back and propose it here. Its id
  // keeps it from being applied twice if that replica did, or later does, propose it too.
  void take_back_forwarded_op(KeyState& ks) {
    if (ks.ops.empty() || ks.ops.front().forwarded_to == 0 ||
        now_ < ks.forward_progress_at + config_.retry_timeout_ms) {
      return;
    }
    ks.ops.front().taken_back_from = ks.ops.front().forwarded_to;
    ks.ops.front().forwarded_to = 0;
    ks.leader_hint = 0;
    ++counters_.forwards_taken_back;
  }

  void on(NodeId from, ForwardRequest& m) {
    // A duplicate: running it again could apply it after it was answered as failed.
    if (!seen_forwards_.insert(OpId{from, m.seq}, now_, forward_memory_ms(m.timeout_ms))) return;
    KeyState& ks = state(m.key);
    const OpId op_id{from, m.seq};
    Operation op = m.remove ? Operation{DeleteOp{m.expected}}
                            : Operation{PutOp{std::move(m.value), m.expected}};
    ks.ops.push_back(
        PendingOp{0, std::move(op), op_id, now_ + m.timeout_ms, now_, 0, from, 0, 0, 0});
    drive(m.key, ks);
  }

  static std::vector<ParkedOp>::iterator find_parked(KeyState& ks, const OpId& op_id,
                                                     NodeId holder) {
    return std::find_if(ks.parked.begin(), ks.parked.end(), [&](const ParkedOp& parked) {
      return parked.op.op_id == op_id && parked.op.taken_back_from == holder;
    });
  }

  // The replica that forwarded us a write took it back: drop it unless we proposed it.
  void on(NodeId from, ForwardWithdraw& m) {
    const OpId op_id{from, m.seq};
    KeyState& ks = state(m.key);
    auto queued = std::find_if(ks.ops.begin(), ks.ops.end(),
                               [&](const PendingOp& op) { return op.op_id == op_id; });
    if (queued != ks.ops.end()) {
      if (queued->proposed_slot != 0) return;  // it may be chosen: the answer follows
      ks.ops.erase(queued);
      send(from, ForwardWithdrawn{m.key, m.seq});
      drive(m.key, ks);
      return;
    }
    // Answered already (the answer may have been lost), or never received: then a late
    // copy must be dropped. Only the life it was handed to knows it never got it: an
    // earlier life may have proposed it, and that proposal may still be chosen.
    const std::optional<SeenForwards::Answer>* seen = seen_forwards_.find(op_id);
    if (seen != nullptr && seen->has_value()) {
      send(from, ForwardReply{m.key, m.seq, static_cast<std::uint8_t>((*seen)->outcome),
                              (*seen)->version, std::nullopt, config_.incarnation});
      return;
    }
    seen_forwards_.insert(op_id, now_, forward_memory_ms(0));
    // Not remembered: the state may still show it chosen (a withdrawal can arrive after
    // we forgot a write we proposed), or show a later write of the sender chosen, after
    // which we cannot tell.
    const WriterMark mark = mark_of(ks.applied.writers, from);
    if (mark.seq == m.seq) {
      send(from, ForwardReply{m.key, m.seq, static_cast<std::uint8_t>(Outcome::kOk), mark.version,
                              std::nullopt, config_.incarnation});
    } else if (m.incarnation == config_.incarnation && mark.seq < m.seq) {
      send(from, ForwardWithdrawn{m.key, m.seq});
    } else {
      send(from, ForwardReply{m.key, m.seq, static_cast<std::uint8_t>(Outcome::kUnknown),
                              ks.applied.version, std::nullopt, config_.incarnation});
    }
  }

  // How long a forwarded write is remembered past its receipt and its answer: as long as
  // the sender may withdraw it (see SeenForwards), with a retry timeout to spare.
  TimeMs forward_memory_ms(TimeMs write_timeout_ms) const {
    return std::max(config_.request_timeout_ms, write_timeout_ms) + config_.retry_timeout_ms;
  }

  void on(NodeId from, ForwardWithdrawn& m) {
    auto key_it = keys_.find(m.key);
    if (key_it == keys_.end()) return;
    KeyState& ks = key_it->second;
    auto parked = find_parked(ks, OpId{config_.self, m.seq}, from);
    if (parked == ks.parked.end()) return;
    Completion& answer = parked->answer;
    complete(answer.id, answer.outcome, answer.version, std::move(answer.value));
    ks.parked.erase(parked);
  }

  void on(NodeId from, ForwardReply& m) {
    auto key_it = keys_.find(m.key);
    if (key_it == keys_.end()) return;
    KeyState& ks = key_it->second;
    const OpId op_id{config_.self, m.seq};
    const auto outcome = static_cast<Outcome>(m.outcome);
    const bool valid = outcome == Outcome::kOk || outcome == Outcome::kNotFound ||
                       outcome == Outcome::kConflict || outcome == Outcome::kNoQuorum ||
                       outcome == Outcome::kUnknown;
    auto parked = find_parked(ks, op_id, from);
    if (parked != ks.parked.end()) {
      // Done there (a failure there is final: it never proposes it after answering), or
      // given up there after it may have proposed it.
      const bool final =
          outcome == Outcome::kOk || outcome == Outcome::kNotFound || outcome == Outcome::kConflict;
      if (!final) ++counters_.unknown_outcomes;
      complete(parked->op.id, final ? outcome : Outcome::kUnknown, m.version, std::move(m.value));
      ks.parked.erase(parked);
      return;
    }
    auto it = std::find_if(ks.ops.begin(), ks.ops.end(), [&](const PendingOp& op) {
      return op.op_id == op_id && op.forwarded_to == from;
    });
    if (it == ks.ops.end()) return;  // answered already, or taken back
    complete(it->id, valid ? outcome : Outcome::kNoQuorum, m.version, std::move(m.value));
    ks.ops.erase(it);
    note_leader(ks, from, m.incarnation);
    drive(m.key, ks);
  }

 public:
  void set_peer_reachable(NodeId peer, bool reachable) {
    if (reachable) {
      unreachable_.erase(peer);
    } else {
      unreachable_.insert(peer);
    }
  }

 private:
  void note_leader(KeyState& ks, NodeId node, std::uint64_t incarnation) {
    ks.leader_hint = node;
    ks.leader_hint_incarnation = incarnation;
    ks.leader_hint_at = now_;
    if (!ks.ops.empty() && ks.ops.front().forwarded_to == node) ks.forward_progress_at = now_;
  }

  void start_prepare(const std::string& key, KeyState& ks) {
    const std::uint64_t round =
        std::max({ks.acceptor.promised.round, ks.highest_seen.round, ks.ballot.round}) + 1;
    ks.ballot = Ballot{round, config_.self};
    ks.leader = false;
    ks.phase = ProposerPhase::kPreparing;
    ks.phase_started_at = now_;
    ks.slot = ks.applied.version + 1;
    ks.voters.clear();
    ks.highest_accepted.reset();
    ks.phase_deadline = now_ + config_.retry_timeout_ms;
    ++counters_.phase1_rounds;
    broadcast(Prepare{key, ks.slot, ks.ballot, config_.incarnation});
  }

  void on(NodeId from, Promise& m) {
    KeyState& ks = state(m.key);
    if (ks.phase != ProposerPhase::kPreparing || m.ballot != ks.ballot || m.slot != ks.slot ||
        contains(ks.voters, from)) {
      return;
    }
    ks.voters.push_back(from);
    if (m.accepted && m.accepted->slot == ks.slot &&
        (!ks.highest_accepted || m.accepted->ballot > ks.highest_accepted->ballot)) {
      ks.highest_accepted = std::move(m.accepted);
    }
    if (ks.voters.size() >= quorum_) on_prepared(m.key, ks);
  }

  void on_prepared(const std::string& key, KeyState& ks) {
    ks.leader = true;
    ks.conflicts_in_row = 0;
    ks.phase = ProposerPhase::kIdle;
    const bool must_recover =
        ks.highest_accepted.has_value() &&
        !(config_.planted_bug == PlantedBug::kProposerIgnoresAcceptedValue && !ks.ops.empty());
    if (must_recover) {
      // Phase 2 must carry the highest-numbered accepted value; it may be our head op's,
      // proposed earlier by us or by a replica we had handed it to.
      const AcceptedProposal recovered = *ks.highest_accepted;
      const bool is_head = !ks.ops.empty() && ks.ops.front().op_id == recovered.op &&
                           ks.ops.front().forwarded_to == 0;
      start_accept(key, ks, recovered.value, recovered.op, is_head);
      return;
    }
    // No value can have been chosen in this slot: the applied state is the latest one,
    // as of the first promise, which came after this phase started. That moment is inside
    // a request only if the request came before the phase: later ones wait for another.
    const TimeMs confirmed_at = ks.phase_started_at;
    auto& waiting = ks.reads_until_applied;
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (it->target <= ks.slot && it->read.submitted_at <= confirmed_at) {
        complete_read(it->read, ks);
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
    ks.recover_requested = !waiting.empty();
    while (true) {
      settle_decided_ops(key, ks);
      if (ks.ops.empty() || ks.ops.front().forwarded_to != 0) return;
      PendingOp& head = ks.ops.front();
      Evaluation evaluation = evaluate(head.op, ks.applied);
      if (evaluation.applies) {
        start_accept(key, ks, std::move(evaluation.new_value), head.op_id, true);
        return;
      }
      if (head.submitted_at > confirmed_at) {
        start_prepare(key, ks);  // to confirm the failure at a moment inside this request
        return;
      }
      Completion answer{head.id, evaluation.failure, ks.applied.version,
                        evaluation.failure == Outcome::kConflict ? ks.applied.value : std::nullopt};
      if (head.taken_back_from != 0 &&
          config_.planted_bug != PlantedBug::kTakenBackFailureAnsweredAtOnce) {
        // The replica we had handed it to may still propose it, and succeed: saying that
        // it failed could be a lie until that replica withdraws it.
        send(head.taken_back_from,
             ForwardWithdraw{key, head.op_id.seq, head.forwarded_to_incarnation});
        ks.parked.push_back(ParkedOp{std::move(head), std::move(answer), now_});
        ks.ops.erase(ks.ops.begin());
        continue;
      }
      finish(key, head, answer.outcome, answer.version, std::move(answer.value));
      ks.ops.erase(ks.ops.begin());
    }
  }

  // Proposes `value`, the value of write `op`, for the open slot. A write of ours is
  // proposed afresh (not recovered) only while the applied state shows it undecided:
  // settle_decided_ops ran on the same applied state.
  void start_accept(const std::string& key, KeyState& ks, KeyValue value, OpId op,
                    bool for_head_op) {
    ks.phase = ProposerPhase::kAccepting;
    ks.slot = ks.applied.version + 1;
    ks.voters.clear();
    ks.proposal_value = std::move(value);
    ks.proposal_op = op;
    if (for_head_op) ks.ops.front().proposed_slot = ks.slot;
    ks.phase_deadline = now_ + config_.retry_timeout_ms;
    ks.accept_targets = phase2_targets();
    ks.accept_sent_at = now_;
    ++counters_.phase2_rounds;
    const Accept accept = current_accept(key, ks);
    for (NodeId target : ks.accept_targets) send(target, accept);
  }

  // The Accept of the phase 2 under way.
  Accept current_accept(const std::string& key, const KeyState& ks) const {
    return Accept{key, ks.slot, ks.ballot, ks.proposal_value, ks.proposal_op, config_.incarnation};
  }

  // Thrifty phase 2: our own acceptor and just enough peers for a majority, in turns,
  // those that owe us no answer first (they are surely alive), then those whose answer is
  // not late. The others learn the chosen state when it is chosen (see on(Accepted)): per
  // write one Accept, Accepted and synced acceptance fewer than asking everyone. Any set
  // of acceptors is safe to ask; ours is always in it, which the reloaded leadership
  // relies on (see state()). If too few peers qualify, or an answer is late (see
  // spread_accept), everyone is asked.
  std::vector<NodeId> phase2_targets() {
    std::vector<NodeId> targets;
    if (config_.planted_bug != PlantedBug::kPhase2SkipsOwnAcceptor) targets.push_back(config_.self);
    const std::size_t first = accept_rotation_++;
    for (const bool owing : {false, true}) {
      for (std::size_t i = 0; i < peers_.size() && targets.size() < quorum_; ++i) {
        const NodeId peer = peers_[(first + i) % peers_.size()];
        if (owes_since_.contains(peer) == owing && responsive(peer)) targets.push_back(peer);
      }
    }
    return targets.size() < quorum_ ? config_.members : targets;
  }

  bool responsive(NodeId peer) const {
    if (unreachable_.contains(peer)) return false;
    if (const auto late = late_until_.find(peer);
        late != late_until_.end() && now_ < late->second) {
      return false;
    }
    const auto owes = owes_since_.find(peer);
    return owes == owes_since_.end() || now_ < owes->second + kSlowPeerAfterMs;
  }

  // An acceptor asked in phase 2 is late: ask everyone else too.
  void spread_accept(const std::string& key, KeyState& ks) {
    ++counters_.accepts_spread;
    for (NodeId target : ks.accept_targets) {
      if (!contains(ks.voters, target)) late_until_[target] = now_ + kLatePeerPassedOverMs;
    }
    const Accept accept = current_accept(key, ks);
    for (NodeId member : config_.members) {
      if (contains(ks.accept_targets, member)) continue;
      ks.accept_targets.push_back(member);
      send(member, accept);
    }
  }

  void on(NodeId from, Accepted& m) {
    KeyState& ks = state(m.key);
    if (ks.phase != ProposerPhase::kAccepting || m.ballot != ks.ballot || m.slot != ks.slot ||
        contains(ks.voters, from)) {
      return;
    }
    ks.voters.push_back(from);
    if (ks.voters.size() < quorum_) return;
    // Chosen.
    ks.phase = ProposerPhase::kIdle;
    const Ballot chosen_ballot = ks.ballot;
    apply(m.key, ks,
          AppliedRecord{ks.slot, ks.proposal_value,
                        with_write(ks.applied.writers, ks.proposal_op, ks.slot)},
          true);
    // Those asked in phase 2 hold the value: they learn it is chosen. The others get the
    // chosen state itself.
    for (NodeId member : config_.members) {
      if (member == config_.self) continue;
      if (contains(ks.accept_targets, member)) {
        send(member, Commit{m.key, m.slot, chosen_ballot, config_.incarnation});
      } else {
        send(member, chosen_state(m.key, ks));
      }
    }
    drive(m.key, ks);
  }

  void on(NodeId, Reject& m) {
    KeyState& ks = state(m.key);
    ks.highest_seen = std::max(ks.highest_seen, m.promised);
    if (ks.phase == ProposerPhase::kIdle || m.ballot != ks.ballot || m.slot != ks.slot) return;
    ++counters_.conflicts;
    abandon_phase(ks);
  }

  // Another proposer holds a higher promise, or we timed out: stop, and retry from
  // phase 1 after a random pause so that dueling proposers stop colliding.
  void abandon_phase(KeyState& ks) {
    ks.phase = ProposerPhase::kIdle;
    ks.leader = false;
    ++ks.conflicts_in_row;
    const TimeMs window =
        std::min<TimeMs>(config_.backoff_max_ms, TimeMs{10} << std::min(ks.conflicts_in_row, 6u));
    ks.backoff_until = now_ + std::uniform_int_distribution<TimeMs>(0, window)(rng_);
  }

  // ---- linearizable reads -------------------------------------------------------------

  // Quorum read: ask every replica what it has applied and accepted. See
  // finish_read_round for why this is linearizable without writing anything.
  void start_read_round(const std::string& key, KeyState& ks) {
    if (ks.read_round || ks.reads_waiting.empty()) return;
    ReadRound round;
    round.id = ++next_read_id_;
    round.reads = std::move(ks.reads_waiting);
    ks.reads_waiting.clear();
    round.started = now_;
    ks.read_round = std::move(round);
    ++counters_.read_rounds;
    broadcast(ReadQuery{key, ks.read_round->id, ks.applied.version});
  }

  void on(NodeId from, ReadReply& m) {
    KeyState& ks = state(m.key);
    if (!ks.read_round || ks.read_round->id != m.read_id ||
        contains(ks.read_round->replied, from)) {
      return;
    }
    if (m.state && m.version > ks.applied.version) {
      ++counters_.catch_ups;
      apply(m.key, ks, AppliedRecord{m.version, std::move(*m.state), std::move(m.writers)}, false);
    }
    ReadRound& round = *ks.read_round;
    round.replied.push_back(from);
    round.max_version = std::max(round.max_version, m.version);
    if (m.accepted_slot > m.version) {
      round.max_accepted_slot = std::max(round.max_accepted_slot, m.accepted_slot);
    }
    if (round.replied.size() >= quorum_) finish_read_round(m.key, ks);
  }

  // With V the highest applied version among a majority: if none of them accepted a
  // proposal above V, slot V+1 was not chosen when the first of them answered, so V is
  // the latest state at a moment inside the read. If one did, V+1 may have been chosen
  // before the read began: the read waits until this replica has applied V+1 (any
  // later state is then still current at a moment inside the read).
  void finish_read_round(const std::string& key, KeyState& ks) {
    ReadRound round = std::move(*ks.read_round);
    ks.read_round.reset();
    Version target = round.max_version;
    if (round.max_accepted_slot > round.max_version &&
        config_.planted_bug != PlantedBug::kReadSkipsRinse) {
      target = round.max_version + 1;
    }
    for (const PendingRead& read : round.reads) {
      if (ks.applied.version >= target) {
        complete_read(read, ks);
      } else {
        ks.reads_until_applied.push_back(WaitingRead{read, target, now_});
      }
    }
    start_read_round(key, ks);
  }

  // ---- time -----------------------------------------------------------------------------

  void tick_key(const std::string& key, KeyState& ks) {
    expire_requests(key, ks);
    take_back_forwarded_op(ks);

    if (ks.phase != ProposerPhase::kIdle && now_ >= ks.phase_deadline) {
      ++counters_.retries;
      abandon_phase(ks);
    }
    if (ks.phase == ProposerPhase::kAccepting &&
        ks.accept_targets.size() < config_.members.size() &&
        now_ >= ks.accept_sent_at + kSpreadAcceptAfterMs) {
      spread_accept(key, ks);
    }

    if (ks.read_round && now_ >= ks.read_round->started + config_.retry_timeout_ms) {
      // Unanswered: start over with a fresh round.
      for (PendingRead& read : ks.read_round->reads) ks.reads_waiting.push_back(read);
      ks.read_round.reset();
    }
    rinse_waiting_reads(ks);
    start_read_round(key, ks);

    if (ks.acceptor.accepted && ks.catch_up_asks < kMaxCatchUpAsks &&
        now_ >= ks.accepted_at + kCatchUpAfterMs * (ks.catch_up_asks + 1)) {
      ++ks.catch_up_asks;
      send_to_peers(CatchUpRequest{key, ks.applied.version});
    }

    drive(key, ks);
  }

  // Reads stuck behind an unsettled slot read again; after a few tries we settle the
  // slot ourselves with phase 1 (its proposer may be gone).
  void rinse_waiting_reads(KeyState& ks) {
    auto& waiting = ks.reads_until_applied;
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (now_ < it->since + kRinseAfterMs) {
        ++it;
        continue;
      }
      ++counters_.read_rinses;
      PendingRead read = it->read;
      ++read.rinses;
      if (read.rinses >= kRinsesBeforeRecovery) ks.recover_requested = true;
      ks.reads_waiting.push_back(read);
      it = waiting.erase(it);
    }
  }

  void expire_requests(const std::string& key, KeyState& ks) {
    for (auto it = ks.ops.begin(); it != ks.ops.end();) {
      if (now_ < it->deadline) {
        ++it;
        continue;
      }
      const bool in_flight = it == ks.ops.begin() && it->proposed_slot != 0;
      finish(key, *it, Outcome::kNoQuorum, ks.applied.version);
      it = ks.ops.erase(it);
      // A value in flight may still be chosen later; we just stop waiting for it. The
      // ballot must not carry another value in that slot, so leadership is dropped.
      if (in_flight && ks.phase == ProposerPhase::kAccepting) {
        ks.phase = ProposerPhase::kIdle;
        ks.leader = false;
      }
    }
    auto expire_reads = [&](auto& reads, auto read_of) {
      for (auto it = reads.begin(); it != reads.end();) {
        if (now_ >= read_of(*it).deadline) {
          complete(read_of(*it).id, Outcome::kNoQuorum, ks.applied.version);
          it = reads.erase(it);
        } else {
          ++it;
        }
      }
    };
    std::erase_if(ks.parked, [&](ParkedOp& parked) {
      if (now_ >= parked.op.deadline) {
        complete(parked.op.id, Outcome::kNoQuorum, ks.applied.version);
        return true;
      }
      if (now_ >= parked.asked_at + config_.retry_timeout_ms) {
        parked.asked_at = now_;
        send(parked.op.taken_back_from,
             ForwardWithdraw{key, parked.op.op_id.seq, parked.op.forwarded_to_incarnation});
      }
      return false;
    });
    auto plain = [](const PendingRead& read) -> const PendingRead& { return read; };
    expire_reads(ks.reads_waiting, plain);
    expire_reads(ks.reads_until_applied,
                 [](const WaitingRead& waiting) -> const PendingRead& { return waiting.read; });
    if (ks.read_round) expire_reads(ks.read_round->reads, plain);
  }

  CoreConfig config_;
  const StateReader& reader_;
  std::mt19937_64 rng_;
  std::size_t quorum_ = 1;
  std::vector<NodeId> peers_;  // the members but us
  TimeMs now_ = 0;
  std::uint64_t next_read_id_ = 0;
  std::unordered_map<std::string, KeyState> keys_;
  std::set<std::string> active_;  // keys with something to do at the next tick
  std::deque<Message> local_;
  std::uint64_t next_op_seq_ = 0;
  std::uint64_t readies_taken_ = 0;
  std::uint64_t last_change_index_ = 0;  // see PersistRecord
  std::uint64_t readies_persisted_ = 0;
  SeenForwards seen_forwards_;
  Ready ready_;
  std::set<NodeId> unreachable_;
  // Peers that owe us an answer, since when (see expects_answer): cleared by any message
  // from them.
  std::map<NodeId, TimeMs> owes_since_;
  std::map<NodeId, TimeMs> late_until_;  // see kLatePeerPassedOverMs
  std::size_t accept_rotation_ = 0;
  std::vector<PersistRecord> late_persist_;  // only with PlantedBug::kAcceptorPersistsLate
  CoreCounters counters_;
};

bool may_precede_persist(const Message& message) {
  return std::holds_alternative<Accept>(message) || std::holds_alternative<Commit>(message) ||
         std::holds_alternative<CatchUpRequest>(message) ||
         std::holds_alternative<CatchUpReply>(message) ||
         std::holds_alternative<ReadQuery>(message) ||
         std::holds_alternative<ForwardRequest>(message) ||
         std::holds_alternative<ForwardWithdraw>(message) ||
         std::holds_alternative<SyncRequest>(message) || std::holds_alternative<SyncReply>(message);
}

Core::Core(CoreConfig config, const StateReader& reader)
    : impl_(std::make_unique<Impl>(std::move(config), reader)) {}
Core::~Core() = default;

void Core::submit(RequestId id, const std::string& key, Operation op, TimeMs deadline) {
  impl_->submit(id, key, std::move(op), deadline);
}
void Core::receive(NodeId from, Message message) {
  impl_->receive(from, std::move(message));
}
void Core::tick(TimeMs now) {
  impl_->tick(now);
}
bool Core::has_ready() const {
  return impl_->has_ready();
}
Ready Core::take_ready() {
  return impl_->take_ready();
}
const CoreCounters& Core::counters() const {
  return impl_->counters();
}
std::size_t Core::cached_keys() const {
  return impl_->cached_keys();
}
void Core::on_persisted(std::uint64_t number) {
  impl_->on_persisted(number);
}
void Core::set_peer_reachable(NodeId peer, bool reachable) {
  impl_->set_peer_reachable(peer, reachable);
}

}  // namespace paxoskv::consensus

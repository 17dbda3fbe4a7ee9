#include "consensus/forwarding.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "consensus/build_variant.h"
#include "consensus/core_context.h"
#include "consensus/roles.h"
#include "consensus/writer_marks.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

namespace {

// Writes go to a replica seen proposing the key this recently, instead of dueling it.
constexpr TimeMs kLeaderHintFreshMs = 300;

std::vector<ParkedOp>::iterator find_parked(KeyState& ks, const OpId& op_id, NodeId holder) {
  auto& parked = ks.forwarding.parked;
  return std::find_if(parked.begin(), parked.end(), [&](const ParkedOp& op) {
    return op.op.op_id == op_id && op.op.taken_back_from == holder;
  });
}

}  // namespace

// Only a write never proposed nor taken back here, and one at a time: the next waits for
// its answer, so that a replica's writes to a key reach whoever proposes them in the order
// of their ids, which WriterMark relies on (the network may reorder messages).
bool Forwarding::forward_to_leader(const std::string& key, KeyState& ks) {
  const TimeMs now = context_.now();
  ForwardingState& f = ks.forwarding;
  // The replica seen proposing the key lately; else the one that ran phase 1 last as our
  // acceptor saw it, which likely still leads the key (it may have been idle for long).
  const bool hint_fresh = f.leader_hint != 0 && now < f.leader_hint_at + kLeaderHintFreshMs;
  const NodeId leader = hint_fresh ? f.leader_hint : ks.acceptor.promised.node;
  const std::uint64_t leader_incarnation =
      hint_fresh ? f.leader_hint_incarnation : ks.acceptor.promised_incarnation;
  PendingOp& head = ks.ops.front();
  // Never to a replica that is no voter (removed): it would propose for a configuration
  // that no longer counts it.
  if (leader == 0 || leader == context_.self() || !context_.peers().reachable(leader) ||
      !context_.peers().is_member(leader) || head.proposed_slot != 0 || head.forwarded_from != 0 ||
      head.taken_back_from != 0) {
    return false;
  }
  ForwardRequest request{key, head.op_id.seq, false, {}, std::nullopt, 0};
  if (const auto* put = std::get_if<PutOp>(&head.op)) {
    request.value = put->value;
    request.expected = put->expected;
    request.lease = put->lease;
  } else {
    request.remove = true;
    request.expected = std::get<DeleteOp>(head.op).expected;
  }
  // Time left, capped to what the field holds (about 49 days): a wrapped value would
  // shorten how long the leader keeps the write.
  request.timeout_ms = static_cast<std::uint32_t>(
      std::min<TimeMs>(head.deadline > now ? head.deadline - now : 0, UINT32_MAX));
  head.forwarded_to = leader;
  head.forwarded_to_incarnation = leader_incarnation;
  f.forward_progress_at = now;
  ++context_.counters().forwards;
  context_.send(leader, std::move(request));
  return true;
}

void Forwarding::note_leader(KeyState& ks, NodeId node, std::uint64_t incarnation) {
  const TimeMs now = context_.now();
  ks.forwarding.leader_hint = node;
  ks.forwarding.leader_hint_incarnation = incarnation;
  ks.forwarding.leader_hint_at = now;
  if (!ks.ops.empty() && ks.ops.front().forwarded_to == node) {
    ks.forwarding.forward_progress_at = now;
  }
}

void Forwarding::answer(const std::string& key, const PendingOp& op, Outcome outcome,
                        Version version, KeyValue value) {
  if (op.forwarded_from != 0) {
    seen_forwards_.set_answer(op.op_id, SeenForwards::Answer{outcome, version}, context_.now());
    // A chosen write needs no answer: every chosen state goes to every replica, and the
    // writer mark in it settles the write where it came from (see Proposer::settle_decided_ops),
    // as soon as the Commit or state arrives. If that is lost, the sender takes the
    // write back, finds it settled, or asks us (ForwardWithdraw).
    if (outcome == Outcome::kOk) return;
    context_.send(op.forwarded_from,
                  ForwardReply{key, op.op_id.seq, static_cast<std::uint8_t>(outcome), version,
                               std::move(value), context_.config().incarnation});
    return;
  }
  context_.complete(op.id, outcome, version, std::move(value));
}

void Forwarding::park(const std::string& key, KeyState& ks, PendingOp op, Completion answer) {
  context_.send(op.taken_back_from,
                ForwardWithdraw{key, op.op_id.seq, op.forwarded_to_incarnation});
  ks.forwarding.parked.push_back(ParkedOp{std::move(op), std::move(answer), context_.now()});
}

void Forwarding::settle_parked(KeyState& ks) {
  const WriterMark own_mark = mark_of(ks.applied.writers, context_.self());
  std::erase_if(ks.forwarding.parked, [&](ParkedOp& parked) {
    if (own_mark.seq != parked.op.op_id.seq) return false;
    const auto* put = std::get_if<PutOp>(&parked.op.op);
    context_.complete(parked.op.id, Outcome::kOk, own_mark.version,
                      put ? KeyValue{put->value} : std::nullopt);
    return true;
  });
}

void Forwarding::on(NodeId from, ForwardRequest& m) {
  const TimeMs now = context_.now();
  // A duplicate: running it again could apply it after it was answered as failed.
  if (!seen_forwards_.insert(OpId{from, m.seq}, now, forward_memory_ms(m.timeout_ms))) return;
  KeyState& ks = context_.keys().state(m.key);
  const OpId op_id{from, m.seq};
  Operation op = m.remove ? Operation{DeleteOp{m.expected}}
                          : Operation{PutOp{std::move(m.value), m.expected, m.lease}};
  ks.ops.push_back(PendingOp{0, std::move(op), op_id, now + m.timeout_ms, now, 0, from, 0, 0, 0});
  roles_.proposer.drive(m.key, ks);
}

// The replica that forwarded us a write took it back: drop it unless we proposed it.
void Forwarding::on(NodeId from, ForwardWithdraw& m) {
  const OpId op_id{from, m.seq};
  const std::uint64_t incarnation = context_.config().incarnation;
  KeyState& ks = context_.keys().state(m.key);
  auto queued = std::find_if(ks.ops.begin(), ks.ops.end(),
                             [&](const PendingOp& op) { return op.op_id == op_id; });
  if (queued != ks.ops.end()) {
    if (queued->proposed_slot != 0) return;  // it may be chosen: the answer follows
    ks.ops.erase(queued);
    context_.send(from, ForwardWithdrawn{m.key, m.seq});
    roles_.proposer.drive(m.key, ks);
    return;
  }
  // Answered already (the answer may have been lost), or never received: then a late
  // copy must be dropped. Only the life it was handed to knows it never got it: an
  // earlier life may have proposed it, and that proposal may still be chosen.
  const std::optional<SeenForwards::Answer>* seen = seen_forwards_.find(op_id);
  if (seen != nullptr && seen->has_value()) {
    context_.send(from, ForwardReply{m.key, m.seq, static_cast<std::uint8_t>((*seen)->outcome),
                                     (*seen)->version, std::nullopt, incarnation});
    return;
  }
  seen_forwards_.insert(op_id, context_.now(), forward_memory_ms(0));
  // Not remembered: the state may still show it chosen (a withdrawal can arrive after
  // we forgot a write we proposed), or show a later write of the sender chosen, after
  // which we cannot tell.
  const WriterMark mark = mark_of(ks.applied.writers, from);
  if (mark.seq == m.seq) {
    context_.send(from, ForwardReply{m.key, m.seq, static_cast<std::uint8_t>(Outcome::kOk),
                                     mark.version, std::nullopt, incarnation});
  } else if (m.incarnation == incarnation && mark.seq < m.seq) {
    context_.send(from, ForwardWithdrawn{m.key, m.seq});
  } else {
    context_.send(from, ForwardReply{m.key, m.seq, static_cast<std::uint8_t>(Outcome::kUnknown),
                                     ks.applied.version, std::nullopt, incarnation});
  }
}

// How long a forwarded write is remembered past its receipt and its answer: as long as
// the sender may withdraw it (see SeenForwards), with a retry timeout to spare.
TimeMs Forwarding::forward_memory_ms(TimeMs write_timeout_ms) const {
  const CoreConfig& config = context_.config();
  return std::max(config.request_timeout_ms, write_timeout_ms) + config.retry_timeout_ms;
}

void Forwarding::on(NodeId from, ForwardWithdrawn& m) {
  KeyState* ks = context_.keys().find(m.key);
  if (ks == nullptr) return;
  auto parked = find_parked(*ks, OpId{context_.self(), m.seq}, from);
  if (parked == ks->forwarding.parked.end()) return;
  Completion& answer = parked->answer;
  context_.complete(answer.id, answer.outcome, answer.version, std::move(answer.value));
  ks->forwarding.parked.erase(parked);
}

void Forwarding::on(NodeId from, ForwardReply& m) {
  KeyState* ks = context_.keys().find(m.key);
  if (ks == nullptr) return;
  const OpId op_id{context_.self(), m.seq};
  const auto outcome = static_cast<Outcome>(m.outcome);
  const bool valid = outcome == Outcome::kOk || outcome == Outcome::kNotFound ||
                     outcome == Outcome::kConflict || outcome == Outcome::kNoQuorum ||
                     outcome == Outcome::kUnknown;
  auto parked = find_parked(*ks, op_id, from);
  if (parked != ks->forwarding.parked.end()) {
    // Done there (a failure there is final: it never proposes it after answering), or
    // given up there after it may have proposed it.
    const bool final =
        outcome == Outcome::kOk || outcome == Outcome::kNotFound || outcome == Outcome::kConflict;
    if (!final) ++context_.counters().unknown_outcomes;
    context_.complete(parked->op.id, final ? outcome : Outcome::kUnknown, m.version,
                      std::move(m.value));
    ks->forwarding.parked.erase(parked);
    return;
  }
  auto it = std::find_if(ks->ops.begin(), ks->ops.end(), [&](const PendingOp& op) {
    return op.op_id == op_id && op.forwarded_to == from;
  });
  if (it == ks->ops.end()) return;  // answered already, or taken back
  context_.complete(it->id, valid ? outcome : Outcome::kNoQuorum, m.version, std::move(m.value));
  ks->ops.erase(it);
  note_leader(*ks, from, m.incarnation);
  roles_.proposer.drive(m.key, *ks);
}

void Forwarding::expire_parked(const std::string& key, KeyState& ks) {
  const TimeMs now = context_.now();
  std::erase_if(ks.forwarding.parked, [&](ParkedOp& parked) {
    if (now >= parked.op.deadline) {
      context_.complete(parked.op.id, Outcome::kNoQuorum, ks.applied.version);
      return true;
    }
    if (now >= parked.asked_at + context_.config().retry_timeout_ms) {
      parked.asked_at = now;
      context_.send(parked.op.taken_back_from,
                    ForwardWithdraw{key, parked.op.op_id.seq, parked.op.forwarded_to_incarnation});
    }
    return false;
  });
}

// The replica we handed a write to showed no sign of life on the key for a retry timeout:
// it may be hung or cut off. Take the write back and propose it here. Its id keeps it from
// being applied twice if that replica did, or later does, propose it too.
void Forwarding::take_back_from_quiet_leader(KeyState& ks) {
  if (ks.ops.empty() || ks.ops.front().forwarded_to == 0 ||
      context_.now() < ks.forwarding.forward_progress_at + context_.config().retry_timeout_ms) {
    return;
  }
  ks.ops.front().taken_back_from = ks.ops.front().forwarded_to;
  ks.ops.front().forwarded_to = 0;
  ks.forwarding.leader_hint = 0;
  ++context_.counters().forwards_taken_back;
}

void Forwarding::forget_old() {
  seen_forwards_.forget_old(context_.now());
}

bool Forwarding::busy(const KeyState& ks) {
  return !ks.forwarding.parked.empty();
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

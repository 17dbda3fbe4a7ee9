#include "consensus/proposer.h"

#include <algorithm>
#include <utility>

#include "consensus/build_variant.h"
#include "consensus/core_context.h"
#include "consensus/lease.h"
#include "consensus/operation_eval.h"
#include "consensus/roles.h"
#include "consensus/writer_marks.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

namespace {

// Phase 2 first goes to a majority only (see Peers::phase2_targets); if one of them has
// not answered after this long, it goes to every replica.
constexpr TimeMs kSpreadAcceptAfterMs = 30;
// How long a phase 1 that found a lease's expiry waits for the promises beyond a quorum
// (see highest_cannot_be_chosen).
constexpr TimeMs kExpiryPromiseGraceMs = 50;
constexpr unsigned kOpSeqCounterBits = 40;

bool contains(const std::vector<NodeId>& nodes, NodeId node) {
  return std::find(nodes.begin(), nodes.end(), node) != nodes.end();
}

bool is_carry(const PendingOp& op) {
  return std::holds_alternative<CarryOp>(op.op);
}

}  // namespace

Proposer::Proposer(CoreContext& context, Roles& roles)
    : context_(context),
      roles_(roles),
      rng_(context.config().seed),
      next_op_seq_(context.config().incarnation << kOpSeqCounterBits) {}

void Proposer::submit(const std::string& key, KeyState& ks, RequestId id, Operation op,
                      TimeMs deadline) {
  const TimeMs now = context_.now();
  ks.ops.push_back(PendingOp{id, std::move(op), OpId{context_.self(), ++next_op_seq_}, deadline,
                             now, 0, 0, 0, 0, 0});
  drive(key, ks);
}

void Proposer::drive(const std::string& key, KeyState& ks) {
  ProposerState& p = ks.proposer;
  if (p.phase != ProposerPhase::kIdle || context_.now() < p.backoff_until) return;
  settle_decided_ops(key, ks);
  if (ks.ops.empty()) {
    if (ks.reads.recover_requested) start_prepare(key, ks);
    return;
  }
  if (ks.ops.front().forwarded_to != 0) return;  // its answer comes first
  if (context_.planted(PlantedBug::kCarryWithoutPhase1) && finish_carries(key, ks)) {
    drive(key, ks);
    return;
  }
  if (!p.leader) {
    if (!is_carry(ks.ops.front()) && roles_.forwarding.forward_to_leader(key, ks)) return;
    start_prepare(key, ks);
    return;
  }
  // Leading under the configuration in force: phase 1 completed under it, so the key is
  // carried over already.
  if (finish_carries(key, ks)) {
    drive(key, ks);
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
  ++context_.counters().fast_path_rounds;
  start_accept(key, ks, std::move(evaluation.new_value), evaluation.new_lease, ks.ops.front().op_id,
               true);
}

// Answers the carry-overs at the head of the queue, done by a phase 1 under the
// configuration in force (see CarryOp). Whether any was.
bool Proposer::finish_carries(const std::string& key, KeyState& ks) {
  bool finished = false;
  while (!ks.ops.empty() && is_carry(ks.ops.front())) {
    ++context_.counters().keys_carried;
    roles_.forwarding.answer(key, ks.ops.front(), Outcome::kOk, ks.applied.version);
    ks.ops.erase(ks.ops.begin());
    finished = true;
  }
  return finished;
}

void Proposer::on_configuration_changed(const std::string& key, KeyState& ks) {
  ProposerState& p = ks.proposer;
  p.leader = false;
  if (p.phase != ProposerPhase::kIdle) {
    // Stopped like a timed-out phase, without the backoff: nobody dueled us.
    p.phase = ProposerPhase::kIdle;
    p.backoff_until = 0;
  }
  drive(key, ks);
}

void Proposer::notice_ballot(KeyState& ks, const Ballot& ballot) {
  if (ballot.node != context_.self() && ballot > ks.proposer.ballot) ks.proposer.leader = false;
}

// Phase 1 for `led` completed in this life of the replica; nothing was proposed under it
// after its last chosen value (our own acceptor would hold that proposal, as it accepts
// everything its proposer sends, but for an expiry too early on its clock, whose ballot
// forget_led_ballot drops when it stops waiting for it); and our acceptor promised no one
// else since. So the majority's promise of `led` still covers the open slot as far as we
// know, exactly as when the key left memory with its leadership (see drive()). A promise
// given elsewhere meanwhile only makes the accept fail.
void Proposer::restore_leadership(KeyState& ks) const {
  // In this life, and under the configuration of its beginning: a promise from before a
  // change was counted under another quorum rule.
  const bool same_life = (ks.acceptor.led_incarnation == context_.config().incarnation &&
                          !context_.configuration_changed_in_life()) ||
                         context_.planted(PlantedBug::kLeadershipSurvivesRestart);
  if (same_life && !ks.acceptor.led.is_zero() && ks.acceptor.led == ks.acceptor.promised &&
      !ks.acceptor.accepted) {
    ks.proposer.ballot = ks.acceptor.led;
    ks.proposer.leader = true;
  }
}

void Proposer::on_applied(const std::string& key, KeyState& ks, bool chosen_by_us) {
  ProposerState& p = ks.proposer;
  if (!chosen_by_us) {
    // Someone else decided a slot: our promise (if any) may be gone, and a phase for a
    // slot now decided is moot.
    p.leader = false;
    if (p.phase != ProposerPhase::kIdle && p.slot <= ks.applied.version) {
      p.phase = ProposerPhase::kIdle;
    }
  }
  settle_decided_ops(key, ks);
}

// Answers the writes at the head of the queue that the applied state shows decided (see
// WriterMark), and notes a head op whose slot went to another write. A parked write the
// state shows chosen is answered too (see Forwarding::settle_parked).
void Proposer::settle_decided_ops(const std::string& key, KeyState& ks) {
  roles_.forwarding.settle_parked(ks);
  while (!ks.ops.empty()) {
    PendingOp& head = ks.ops.front();
    if (is_carry(head)) return;  // never chosen: done by phase 1 (see finish_carries)
    const WriterMark mark = mark_of(ks.applied.writers, head.op_id.node);
    const bool planted = context_.planted(PlantedBug::kTakenBackWriteIgnoresMarks) &&
                         head.taken_back_from != 0 && head.proposed_slot == 0;
    if (mark.seq < head.op_id.seq || planted) {
      if (head.proposed_slot != 0 && head.proposed_slot <= ks.applied.version) {
        head.proposed_slot = 0;  // that slot is decided, and not for this op
      }
      return;
    }
    if (mark.seq == head.op_id.seq) {
      const auto* put = std::get_if<PutOp>(&head.op);
      roles_.forwarding.answer(key, head, Outcome::kOk, mark.version,
                               put ? KeyValue{put->value} : std::nullopt);
    } else if (head.forwarded_to != 0) {
      return;  // a later write of ours is chosen; the replica this one went to knows more
    } else {
      // A later write of the same replica was chosen: this one never will be now, but
      // whether it was before is not known here. Like a timeout.
      ++context_.counters().unknown_outcomes;
      roles_.forwarding.answer(key, head, Outcome::kUnknown, ks.applied.version);
    }
    ks.ops.erase(ks.ops.begin());
  }
}

void Proposer::start_prepare(const std::string& key, KeyState& ks) {
  ProposerState& p = ks.proposer;
  const TimeMs now = context_.now();
  const std::uint64_t round =
      std::max({ks.acceptor.promised.round, p.highest_seen.round, p.ballot.round}) + 1;
  p.ballot = Ballot{round, context_.self()};
  p.leader = false;
  p.phase = ProposerPhase::kPreparing;
  p.phase_started_at = now;
  p.slot = ks.applied.version + 1;
  p.votes = QuorumTally(context_.peers().rule());
  p.highest_accepted.reset();
  p.promise_reports.clear();
  p.phase_deadline = now + context_.config().retry_timeout_ms;
  ++context_.counters().phase1_rounds;
  context_.broadcast(current_prepare(key, ks));
}

// The Prepare of the phase 1 under way.
Prepare Proposer::current_prepare(const std::string& key, const KeyState& ks) const {
  const ProposerState& p = ks.proposer;
  return Prepare{key, p.slot, p.ballot, context_.config().incarnation,
                 context_.configuration().version};
}

// Counts `from`'s answer if it is a first answer to the phase under way.
bool Proposer::count_vote(ProposerState& p, ProposerPhase phase, NodeId from, const Ballot& ballot,
                          Slot slot) {
  return p.phase == phase && ballot == p.ballot && slot == p.slot && p.votes.add(from);
}

void Proposer::on(NodeId from, Promise& m) {
  KeyState& ks = context_.keys().state(m.key);
  ProposerState& p = ks.proposer;
  if (!count_vote(p, ProposerPhase::kPreparing, from, m.ballot, m.slot)) return;
  const bool in_slot = m.accepted && m.accepted->slot == p.slot;
  p.promise_reports.emplace_back(from,
                                 in_slot ? std::optional<OpId>(m.accepted->op) : std::nullopt);
  if (in_slot && (!p.highest_accepted || m.accepted->ballot > p.highest_accepted->ballot)) {
    p.highest_accepted = std::move(m.accepted);
  }
  if (p.votes.reached() && !awaits_more_promises(m.key, p)) on_prepared(m.key, ks);
}

// A lease's expiry is the one value an acceptor may refuse for a reason other than its
// promise: its own clock (see lease.h). Accepted early by a minority (say, by a replica
// that missed the keepalives), it would block the slot, and with it a revoke, reads of the
// lease and a membership change's carry-over, for as long as the holder keeps the lease
// alive, if every phase 1 that finds it had to propose it again.
bool Proposer::highest_is_expiry(const std::string& key, const ProposerState& p) const {
  return p.highest_accepted && is_lease_expiry(key, p.highest_accepted->value);
}

// Whether the promises show that the highest accepted value was chosen at no ballot and
// can no longer be, so that phase 2 may carry another one. Let v be that value (its write
// op) and b its ballot. If v was chosen at some ballot, a quorum accepted it there and,
// every later proposal carrying v, each of those acceptors that promised reports v: the
// quorum lies within S = the voters that did not promise, plus those that report v. Every
// promiser promised our ballot, so v can gain no acceptor outside S at a lower one.
// Which quorum: of the configuration in force, or while joint, of the one it leaves
// (ballots run under the joint one need a majority of it too). A value chosen under an
// earlier configuration was chosen again under the joint one by the carry-over, at a
// higher ballot, by a majority of this configuration's members: they report it.
bool Proposer::highest_cannot_be_chosen(const std::string& key, const ProposerState& p) const {
  if (!highest_is_expiry(key, p)) return false;  // the rule holds for any value; needed here
  const QuorumRule& rule = context_.peers().rule();
  const std::vector<NodeId>& side = rule.leaving.empty() ? rule.members : rule.leaving;
  const OpId v = p.highest_accepted->op;
  const bool ignore_unheard = context_.planted(PlantedBug::kExpiryDiscardIgnoresUnheard);
  std::size_t could_hold = 0;
  for (const NodeId voter : side) {
    const auto report = std::find_if(p.promise_reports.begin(), p.promise_reports.end(),
                                     [voter](const auto& entry) { return entry.first == voter; });
    if (report == p.promise_reports.end() ? !ignore_unheard : report->second == v) {
      ++could_hold;
    }
  }
  return 2 * could_hold <= side.size();
}

// A quorum promised, the highest value found is an expiry that may yet be shown unchosen,
// and not every voter has answered: wait a little for the rest (see tick).
bool Proposer::awaits_more_promises(const std::string& key, const ProposerState& p) const {
  if (!highest_is_expiry(key, p) || highest_cannot_be_chosen(key, p)) return false;
  const std::vector<NodeId>& voters = context_.peers().members();
  const bool all_answered = std::all_of(voters.begin(), voters.end(), [&p](NodeId voter) {
    return std::any_of(p.promise_reports.begin(), p.promise_reports.end(),
                       [voter](const auto& report) { return report.first == voter; });
  });
  return !all_answered && context_.now() < p.phase_started_at + kExpiryPromiseGraceMs;
}

void Proposer::on_prepared(const std::string& key, KeyState& ks) {
  ProposerState& p = ks.proposer;
  p.leader = true;
  p.conflicts_in_row = 0;
  p.phase = ProposerPhase::kIdle;
  const bool must_recover =
      p.highest_accepted.has_value() && !highest_cannot_be_chosen(key, p) &&
      !(context_.planted(PlantedBug::kProposerIgnoresAcceptedValue) && !ks.ops.empty());
  if (p.highest_accepted && !must_recover) ++context_.counters().expiries_discarded;
  if (must_recover) {
    // Phase 2 must carry the highest-numbered accepted value; it may be our head op's,
    // proposed earlier by us or by a replica we had handed it to.
    const AcceptedProposal recovered = *p.highest_accepted;
    const bool is_head =
        !ks.ops.empty() && ks.ops.front().op_id == recovered.op && ks.ops.front().forwarded_to == 0;
    start_accept(key, ks, recovered.value, recovered.lease, recovered.op, is_head);
    return;
  }
  // No value can have been chosen in this slot: the applied state is the latest one,
  // as of the first promise, which came after this phase started. That moment is inside
  // a request only if the request came before the phase: later ones wait for another.
  const TimeMs confirmed_at = p.phase_started_at;
  roles_.reads.on_latest_confirmed(ks, p.slot, confirmed_at);
  while (true) {
    settle_decided_ops(key, ks);
    if (finish_carries(key, ks)) continue;
    if (ks.ops.empty() || ks.ops.front().forwarded_to != 0) return;
    PendingOp& head = ks.ops.front();
    Evaluation evaluation = evaluate(head.op, ks.applied);
    if (evaluation.applies) {
      start_accept(key, ks, std::move(evaluation.new_value), evaluation.new_lease, head.op_id,
                   true);
      return;
    }
    if (head.submitted_at > confirmed_at) {
      start_prepare(key, ks);  // to confirm the failure at a moment inside this request
      return;
    }
    Completion answer{head.id, evaluation.failure, ks.applied.version,
                      evaluation.failure == Outcome::kConflict ? ks.applied.value : std::nullopt};
    if (head.taken_back_from != 0 &&
        !context_.planted(PlantedBug::kTakenBackFailureAnsweredAtOnce)) {
      // The replica we had handed it to may still propose it, and succeed: saying that
      // it failed could be a lie until that replica withdraws it.
      roles_.forwarding.park(key, ks, std::move(head), std::move(answer));
      ks.ops.erase(ks.ops.begin());
      continue;
    }
    roles_.forwarding.answer(key, head, answer.outcome, answer.version, std::move(answer.value));
    ks.ops.erase(ks.ops.begin());
  }
}

// Proposes `value`, the value of write `op`, for the open slot. A write of ours is
// proposed afresh (not recovered) only while the applied state shows it undecided:
// settle_decided_ops ran on the same applied state.
void Proposer::start_accept(const std::string& key, KeyState& ks, KeyValue value,
                            std::uint64_t lease, OpId op, bool for_head_op) {
  ProposerState& p = ks.proposer;
  const TimeMs now = context_.now();
  p.phase = ProposerPhase::kAccepting;
  p.slot = ks.applied.version + 1;
  p.votes = QuorumTally(context_.peers().rule());
  p.proposal_value = std::move(value);
  p.proposal_lease = lease;
  p.proposal_op = op;
  if (for_head_op) ks.ops.front().proposed_slot = p.slot;
  p.phase_deadline = now + context_.config().retry_timeout_ms;
  // Any set of acceptors is safe to ask; ours is always in it, which the reloaded
  // leadership relies on (see restore_leadership).
  p.accept_targets =
      context_.peers().phase2_targets(now, !context_.planted(PlantedBug::kPhase2SkipsOwnAcceptor));
  p.accept_sent_at = now;
  ++context_.counters().phase2_rounds;
  const Accept accept = current_accept(key, ks);
  for (NodeId target : p.accept_targets) context_.send(target, accept);
}

// The Accept of the phase 2 under way.
Accept Proposer::current_accept(const std::string& key, const KeyState& ks) const {
  const ProposerState& p = ks.proposer;
  return Accept{key,
                p.slot,
                p.ballot,
                p.proposal_value,
                p.proposal_op,
                context_.config().incarnation,
                context_.configuration().version,
                p.proposal_lease};
}

void Proposer::on_peer_behind(const std::string& key, KeyState& ks, NodeId peer, Version have) {
  // A peer behind our phase 1 can promise, and one behind our in-flight proposal can
  // accept it, once it has caught up (the chosen state went to it first).
  ProposerState& p = ks.proposer;
  if (p.phase == ProposerPhase::kPreparing && p.slot == ks.applied.version + 1 &&
      have < ks.applied.version && !p.votes.counted(peer)) {
    context_.send(peer, current_prepare(key, ks));
    return;
  }
  if (p.phase == ProposerPhase::kAccepting && p.slot == ks.applied.version + 1 &&
      have < ks.applied.version) {
    if (!contains(p.accept_targets, peer)) p.accept_targets.push_back(peer);
    context_.send(peer, current_accept(key, ks));
  }
}

// An acceptor asked in phase 2 is late: ask everyone else too.
void Proposer::spread_accept(const std::string& key, KeyState& ks) {
  ProposerState& p = ks.proposer;
  ++context_.counters().accepts_spread;
  for (NodeId target : p.accept_targets) {
    if (!p.votes.counted(target)) context_.peers().note_late(target, context_.now());
  }
  const Accept accept = current_accept(key, ks);
  for (NodeId member : context_.peers().members()) {
    if (contains(p.accept_targets, member)) continue;
    p.accept_targets.push_back(member);
    context_.send(member, accept);
  }
}

void Proposer::on(NodeId from, Accepted& m) {
  KeyState& ks = context_.keys().state(m.key);
  ProposerState& p = ks.proposer;
  if (!count_vote(p, ProposerPhase::kAccepting, from, m.ballot, m.slot) || !p.votes.reached()) {
    return;
  }
  // Chosen.
  p.phase = ProposerPhase::kIdle;
  const Ballot chosen_ballot = p.ballot;
  // The voters of the configuration it was chosen under: if it is a new configuration,
  // the members it leaves out learn of it too (a removed replica must know it is).
  std::vector<NodeId> learners = context_.peers().members();
  roles_.learner.apply(
      m.key, ks,
      AppliedRecord{p.slot, p.proposal_value, with_write(ks.applied.writers, p.proposal_op, p.slot),
                    p.proposal_lease},
      chosen_ballot);
  // Those asked in phase 2 hold the value: they learn it is chosen. The others get the
  // chosen state itself.
  for (NodeId member : context_.peers().members()) {
    if (!contains(learners, member)) learners.push_back(member);
  }
  for (NodeId member : learners) {
    if (member == context_.self()) continue;
    if (contains(p.accept_targets, member)) {
      context_.send(member, Commit{m.key, m.slot, chosen_ballot, context_.config().incarnation});
    } else {
      context_.send(member, chosen_state(m.key, ks));
    }
  }
  drive(m.key, ks);
}

void Proposer::on(NodeId, Reject& m) {
  KeyState& ks = context_.keys().state(m.key);
  ProposerState& p = ks.proposer;
  p.highest_seen = std::max(p.highest_seen, m.promised);
  if (p.phase == ProposerPhase::kIdle || m.ballot != p.ballot || m.slot != p.slot) return;
  ++context_.counters().conflicts;
  abandon_phase(ks);
}

// Another proposer holds a higher promise, or we timed out: stop, and retry from phase 1
// after a random pause so that dueling proposers stop colliding.
void Proposer::abandon_phase(KeyState& ks) {
  ProposerState& p = ks.proposer;
  p.phase = ProposerPhase::kIdle;
  p.leader = false;
  ++p.conflicts_in_row;
  const TimeMs window = std::min<TimeMs>(context_.config().backoff_max_ms,
                                         TimeMs{10} << std::min(p.conflicts_in_row, 6u));
  p.backoff_until = context_.now() + std::uniform_int_distribution<TimeMs>(0, window)(rng_);
}

void Proposer::tick(const std::string& key, KeyState& ks) {
  ProposerState& p = ks.proposer;
  const TimeMs now = context_.now();
  if (p.phase == ProposerPhase::kPreparing && p.votes.reached() && !awaits_more_promises(key, p)) {
    on_prepared(key, ks);  // the grace for more promises is over
    return;
  }
  if (p.phase != ProposerPhase::kIdle && now >= p.phase_deadline) {
    ++context_.counters().retries;
    give_up_refused_expiry(key, ks);
    abandon_phase(ks);
  }
  if (p.phase == ProposerPhase::kAccepting &&
      p.accept_targets.size() < context_.peers().members().size() &&
      now >= p.accept_sent_at + kSpreadAcceptAfterMs) {
    spread_accept(key, ks);
  }
}

// Our head op is a lease's expiry and its phase 2 went unanswered: most likely the
// acceptors refused it, the lease alive on their clocks. Proposed again and again, it
// would hold up the key's queue (a revoke behind it) for as long as the holder keeps the
// lease alive: it is answered kNoQuorum instead, and whoever wanted it (the expiry duty)
// asks again later. Like a write whose deadline passed, it may still be chosen: the
// ballot must carry no other value in that slot, which abandon_phase sees to.
void Proposer::give_up_refused_expiry(const std::string& key, KeyState& ks) {
  ProposerState& p = ks.proposer;
  if (p.phase != ProposerPhase::kAccepting || ks.ops.empty()) return;
  PendingOp& head = ks.ops.front();
  if (head.forwarded_to != 0 || head.op_id != p.proposal_op || head.proposed_slot != p.slot) return;
  if (!is_lease_expiry(key, p.proposal_value)) return;
  ++context_.counters().expiries_given_up;
  roles_.forwarding.answer(key, head, Outcome::kNoQuorum, ks.applied.version);
  ks.ops.erase(ks.ops.begin());
  forget_led_ballot(key, ks);
}

// We stop waiting for an expiry of ours in flight at our ballot. If our own acceptor does
// not hold it (it refused it, too early on its clock), the key's record would still show
// our leadership of that ballot as restorable (see restore_leadership): reloaded, the key
// would carry another value into the same slot at the same ballot while acceptors may yet
// accept this one, and each could be chosen. The record forgets that ballot; the next
// value goes through phase 1.
void Proposer::forget_led_ballot(const std::string& key, KeyState& ks) {
  const ProposerState& p = ks.proposer;
  const auto& accepted = ks.acceptor.accepted;
  const bool held = accepted && accepted->slot == p.slot && accepted->ballot == p.ballot &&
                    accepted->op == p.proposal_op;
  if (held || ks.acceptor.led != p.ballot) return;
  ks.acceptor.led = Ballot{};
  context_.persist_acceptor(key, ks);
}

void Proposer::expire_writes(const std::string& key, KeyState& ks) {
  const TimeMs now = context_.now();
  for (auto it = ks.ops.begin(); it != ks.ops.end();) {
    if (now < it->deadline) {
      ++it;
      continue;
    }
    const bool in_flight = it == ks.ops.begin() && it->proposed_slot != 0;
    roles_.forwarding.answer(key, *it, Outcome::kNoQuorum, ks.applied.version);
    it = ks.ops.erase(it);
    // A value in flight may still be chosen later; we just stop waiting for it. The
    // ballot must not carry another value in that slot, so leadership is dropped.
    if (in_flight && ks.proposer.phase == ProposerPhase::kAccepting) {
      ks.proposer.phase = ProposerPhase::kIdle;
      ks.proposer.leader = false;
      if (is_lease_expiry(key, ks.proposer.proposal_value)) forget_led_ballot(key, ks);
    }
  }
}

bool Proposer::busy(const KeyState& ks) {
  return ks.proposer.phase != ProposerPhase::kIdle || !ks.ops.empty();
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

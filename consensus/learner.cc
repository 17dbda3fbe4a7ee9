#include "consensus/learner.h"

#include <utility>

#include "consensus/build_variant.h"
#include "consensus/core_context.h"
#include "consensus/roles.h"
#include "consensus/writer_marks.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

namespace {

// An acceptor holding an accepted proposal this long without a commit asks its peers
// whether the slot was chosen.
constexpr TimeMs kCatchUpAfterMs = 500;
constexpr unsigned kMaxCatchUpAsks = 5;

}  // namespace

CatchUpReply chosen_state(const std::string& key, const KeyState& ks) {
  return CatchUpReply{key, ks.applied.version, ks.applied.value, ks.applied.writers,
                      ks.applied.lease};
}

void drop_settled_proposal(KeyState& ks) {
  if (ks.acceptor.accepted && ks.acceptor.accepted->slot <= ks.applied.version) {
    ks.acceptor.accepted.reset();
  }
}

void Learner::apply(const std::string& key, KeyState& ks, AppliedRecord chosen,
                    std::optional<Ballot> our_ballot) {
  if (chosen.version <= ks.applied.version) return;
  context_.counters().versions_skipped += chosen.version - ks.applied.version - 1;
  ks.applied = std::move(chosen);
  // The settled proposal goes: the applied state is written with the acceptor record,
  // which then holds no accepted proposal (see PersistRecord).
  drop_settled_proposal(ks);
  if (our_ballot) {
    ks.acceptor.led = *our_ballot;
    ks.acceptor.led_incarnation = context_.config().incarnation;
  }
  context_.persist_applied(key, ks);
  roles_.proposer.on_applied(key, ks, our_ballot.has_value());
  roles_.reads.on_applied(ks);
  roles_.reconfiguration.on_applied(key, ks);
  roles_.leases.on_applied(key, ks);
}

void Learner::await_commit(KeyState& ks) {
  ks.learner.accepted_at = context_.now();
  ks.learner.catch_up_asks = 0;
}

void Learner::on(NodeId from, Commit& m) {
  KeyState& ks = context_.keys().state(m.key);
  roles_.proposer.notice_ballot(ks, m.ballot);
  roles_.forwarding.note_leader(ks, m.ballot.node, m.incarnation);
  if (m.slot <= ks.applied.version) return;
  const auto& accepted = ks.acceptor.accepted;
  if (accepted && accepted->slot == m.slot && accepted->ballot == m.ballot) {
    AppliedRecord chosen{m.slot, accepted->value,
                         with_write(ks.applied.writers, accepted->op, m.slot), accepted->lease};
    apply(m.key, ks, std::move(chosen), std::nullopt);
    roles_.proposer.drive(m.key, ks);
  } else {
    context_.send(from, CatchUpRequest{m.key, ks.applied.version});
  }
}

void Learner::on(NodeId from, CatchUpRequest& m) {
  KeyState& ks = context_.keys().state(m.key);
  if (ks.applied.version > m.have) context_.send(from, chosen_state(m.key, ks));
  roles_.proposer.on_peer_behind(m.key, ks, from, m.have);
}

void Learner::on(NodeId, CatchUpReply& m) {
  KeyState& ks = context_.keys().state(m.key);
  if (m.version <= ks.applied.version) return;
  ++context_.counters().catch_ups;
  apply(m.key, ks, AppliedRecord{m.version, std::move(m.value), std::move(m.writers), m.lease},
        std::nullopt);
  roles_.proposer.drive(m.key, ks);
}

void Learner::tick(const std::string& key, KeyState& ks) {
  const TimeMs now = context_.now();
  LearnerState& learner = ks.learner;
  if (ks.acceptor.accepted && learner.catch_up_asks < kMaxCatchUpAsks &&
      now >= learner.accepted_at + kCatchUpAfterMs * (learner.catch_up_asks + 1)) {
    ++learner.catch_up_asks;
    context_.send_to_peers(CatchUpRequest{key, ks.applied.version});
  }
}

bool Learner::busy(const KeyState& ks) {
  return ks.acceptor.accepted && ks.learner.catch_up_asks < kMaxCatchUpAsks;
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

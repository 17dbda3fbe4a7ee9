#include "consensus/quorum_reads.h"

#include <algorithm>
#include <utility>

#include "consensus/build_variant.h"
#include "consensus/core_context.h"
#include "consensus/roles.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

namespace {

// A read waiting for an in-flight slot to settle re-reads after this long, and after
// this many re-reads runs phase 1 itself to settle the slot.
constexpr TimeMs kRinseAfterMs = 20;
constexpr unsigned kRinsesBeforeRecovery = 3;

}  // namespace

void QuorumReads::submit(const std::string& key, KeyState& ks, RequestId id, TimeMs deadline) {
  ks.reads.waiting.push_back(PendingRead{id, deadline, context_.now(), 0});
  start_round(key, ks);
}

void QuorumReads::start_round(const std::string& key, KeyState& ks) {
  ReadState& r = ks.reads;
  if (r.round || r.waiting.empty()) return;
  ReadRound round;
  round.id = ++next_read_id_;
  round.reads = std::move(r.waiting);
  r.waiting.clear();
  round.replies = QuorumTally(context_.peers().rule());
  round.started = context_.now();
  r.round = std::move(round);
  ++context_.counters().read_rounds;
  context_.broadcast(
      ReadQuery{key, r.round->id, ks.applied.version, context_.configuration().version});
}

void QuorumReads::on_configuration_changed(const std::string& key, KeyState& ks) {
  ReadState& r = ks.reads;
  if (!r.round) return;
  for (PendingRead& read : r.round->reads) r.waiting.push_back(read);
  r.round.reset();
  start_round(key, ks);
}

void QuorumReads::on(NodeId from, ReadQuery& m) {
  if (!roles_.reconfiguration.answers(from, m.config)) return;
  KeyState& ks = context_.keys().state(m.key);
  ReadReply reply{m.key, m.read_id, ks.applied.version, std::nullopt, {}, 0};
  if (ks.applied.version > m.have) {
    reply.state = ks.applied.value;
    reply.writers = ks.applied.writers;
    reply.lease = ks.applied.lease;
  }
  if (ks.acceptor.accepted) reply.accepted_slot = ks.acceptor.accepted->slot;
  context_.send(from, std::move(reply));
}

void QuorumReads::on(NodeId from, ReadReply& m) {
  KeyState& ks = context_.keys().state(m.key);
  // Counted before the apply below: apply answers waiting reads but never starts or ends a
  // read round, so the round stays valid across it.
  if (!ks.reads.round || ks.reads.round->id != m.read_id || !ks.reads.round->replies.add(from)) {
    return;
  }
  if (m.state && m.version > ks.applied.version) {
    ++context_.counters().catch_ups;
    roles_.learner.apply(
        m.key, ks, AppliedRecord{m.version, std::move(*m.state), std::move(m.writers), m.lease},
        std::nullopt);
  }
  ReadRound& round = *ks.reads.round;
  round.max_version = std::max(round.max_version, m.version);
  if (m.accepted_slot > m.version) {
    round.max_accepted_slot = std::max(round.max_accepted_slot, m.accepted_slot);
  }
  if (round.replies.reached()) finish_round(m.key, ks);
}

// With V the highest applied version among a majority: if none of them accepted a
// proposal above V, slot V+1 was not chosen when the first of them answered, so V is the
// latest state at a moment inside the read. If one did, V+1 may have been chosen before
// the read began: the read waits until this replica has applied V+1 (any later state is
// then still current at a moment inside the read).
void QuorumReads::finish_round(const std::string& key, KeyState& ks) {
  ReadRound round = std::move(*ks.reads.round);
  ks.reads.round.reset();
  Version target = round.max_version;
  if (round.max_accepted_slot > round.max_version &&
      !context_.planted(PlantedBug::kReadSkipsRinse)) {
    target = round.max_version + 1;
  }
  for (const PendingRead& read : round.reads) {
    if (ks.applied.version >= target) {
      complete(read, ks);
    } else {
      ks.reads.until_applied.push_back(WaitingRead{read, target, context_.now()});
    }
  }
  start_round(key, ks);
}

void QuorumReads::on_applied(KeyState& ks) {
  auto& waiting = ks.reads.until_applied;
  for (auto it = waiting.begin(); it != waiting.end();) {
    if (it->target <= ks.applied.version) {
      complete(it->read, ks);
      it = waiting.erase(it);
    } else {
      ++it;
    }
  }
  if (waiting.empty()) ks.reads.recover_requested = false;
}

void QuorumReads::on_latest_confirmed(KeyState& ks, Slot slot, TimeMs confirmed_at) {
  auto& waiting = ks.reads.until_applied;
  for (auto it = waiting.begin(); it != waiting.end();) {
    if (it->target <= slot && it->read.submitted_at <= confirmed_at) {
      complete(it->read, ks);
      it = waiting.erase(it);
    } else {
      ++it;
    }
  }
  ks.reads.recover_requested = !waiting.empty();
}

void QuorumReads::tick(const std::string& key, KeyState& ks) {
  ReadState& r = ks.reads;
  if (r.round && context_.now() >= r.round->started + context_.config().retry_timeout_ms) {
    // Unanswered: start over with a fresh round.
    for (PendingRead& read : r.round->reads) r.waiting.push_back(read);
    r.round.reset();
  }
  rinse_waiting_reads(ks);
  start_round(key, ks);
}

// Reads stuck behind an unsettled slot read again; after a few tries the proposer settles
// the slot with phase 1 (its proposer may be gone).
void QuorumReads::rinse_waiting_reads(KeyState& ks) {
  auto& waiting = ks.reads.until_applied;
  for (auto it = waiting.begin(); it != waiting.end();) {
    if (context_.now() < it->since + kRinseAfterMs) {
      ++it;
      continue;
    }
    ++context_.counters().read_rinses;
    PendingRead read = it->read;
    ++read.rinses;
    if (read.rinses >= kRinsesBeforeRecovery) ks.reads.recover_requested = true;
    ks.reads.waiting.push_back(read);
    it = waiting.erase(it);
  }
}

void QuorumReads::expire(KeyState& ks) {
  const TimeMs now = context_.now();
  auto expire_reads = [&](auto& reads, auto read_of) {
    for (auto it = reads.begin(); it != reads.end();) {
      if (now >= read_of(*it).deadline) {
        context_.complete(read_of(*it).id, Outcome::kNoQuorum, ks.applied.version);
        it = reads.erase(it);
      } else {
        ++it;
      }
    }
  };
  auto plain = [](const PendingRead& read) -> const PendingRead& { return read; };
  expire_reads(ks.reads.waiting, plain);
  expire_reads(ks.reads.until_applied,
               [](const WaitingRead& waiting) -> const PendingRead& { return waiting.read; });
  if (ks.reads.round) expire_reads(ks.reads.round->reads, plain);
}

bool QuorumReads::busy(const KeyState& ks) {
  const ReadState& r = ks.reads;
  return !r.waiting.empty() || r.round.has_value() || !r.until_applied.empty() ||
         r.recover_requested;
}

void QuorumReads::complete(const PendingRead& read, const KeyState& ks) {
  if (ks.applied.value) {
    context_.complete(read.id, Outcome::kOk, ks.applied.version, ks.applied.value);
  } else {
    context_.complete(read.id, Outcome::kNotFound, ks.applied.version);
  }
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

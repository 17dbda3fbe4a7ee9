#include "consensus/leases.h"

#include <algorithm>
#include <utility>

#include "consensus/build_variant.h"
#include "consensus/core_context.h"
#include "consensus/roles.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

namespace {

bool accepted_terminal(const KeyState& ks) {
  if (const auto applied = lease_in(ks.applied.value); applied && applied->terminal()) return true;
  if (!ks.acceptor.accepted || ks.acceptor.accepted->slot <= ks.applied.version) return false;
  const auto accepted = lease_in(ks.acceptor.accepted->value);
  return accepted && accepted->terminal();
}

}  // namespace

Leases::Leases(CoreContext& context)
    : context_(context), next_round_(context.config().incarnation << 32) {}

void Leases::on_clock() {
  const TimeMs now = context_.now();
  if (!started_at_) started_at_ = now;
  if (configuration_unsettled_) {
    configured_at_ = now;
    configuration_unsettled_ = false;
  }
  for (const LeaseId lease : unsettled_) {
    TimeMs& seen = last_seen_[lease];
    seen = std::max(seen, now);
  }
  unsettled_.clear();
}

void Leases::note_seen(LeaseId lease) {
  TimeMs& seen = last_seen_[lease];
  seen = std::max(seen, context_.now());
  if (!context_.planted(PlantedBug::kLeaseExpiryWithoutMargin)) unsettled_.insert(lease);
}

void Leases::on_configuration_adopted() {
  configured_at_ = std::max(configured_at_.value_or(0), context_.now());
  configuration_unsettled_ = true;
}

TimeMs Leases::last_seen(LeaseId lease) const {
  TimeMs seen = std::max(started_at_.value_or(context_.now()), configured_at_.value_or(0));
  if (auto it = last_seen_.find(lease); it != last_seen_.end()) seen = std::max(seen, it->second);
  return seen;
}

bool Leases::may_accept(const std::string& key, const KeyValue& value) {
  const std::optional<LeaseId> lease = lease_of_key(key);
  if (!lease) return true;
  const std::optional<LeaseRecord> record = lease_in(value);
  if (!record) return true;
  if (record->state == LeaseState::kLive) {
    note_seen(*lease);
    return true;
  }
  if (record->state != LeaseState::kExpired ||
      context_.planted(PlantedBug::kLeaseExpiryWithoutClockCheck)) {
    return true;
  }
  // Before the first tick this life's start is not known: no expiry yet.
  const TimeMs wait = context_.planted(PlantedBug::kLeaseExpiryWithoutMargin)
                          ? record->ttl_ms
                          : expiry_wait(record->ttl_ms);
  if (started_at_ && !configuration_unsettled_ && !unsettled_.contains(*lease) &&
      context_.now() >= last_seen(*lease) + wait) {
    return true;
  }
  ++context_.counters().lease_expiries_refused;
  return false;
}

void Leases::on_applied(const std::string& key, const KeyState& ks) {
  const std::optional<LeaseId> lease = lease_of_key(key);
  if (!lease) return;
  const std::optional<LeaseRecord> record = lease_in(ks.applied.value);
  if (record && record->terminal()) {
    last_seen_.erase(*lease);
    unsettled_.erase(*lease);
  }
}

void Leases::keep_alive(RequestId id, LeaseId lease, TimeMs deadline) {
  const std::uint64_t number = ++next_round_;
  Round round{id,
              lease_key(lease),
              deadline,
              context_.now() + context_.config().retry_timeout_ms,
              context_.configuration().version,
              QuorumTally(context_.peers().rule()),
              QuorumTally(context_.peers().rule())};
  const KeepAlive message{round.key, number, round.config};
  rounds_.emplace(number, std::move(round));
  context_.broadcast(message);
}

void Leases::on(NodeId from, KeepAlive& m) {
  const std::optional<LeaseId> lease = lease_of_key(m.key);
  if (!lease) return;
  const KeyState& ks = context_.keys().state(m.key);
  const bool alive = !accepted_terminal(ks);
  // Noted even when refused: it only delays this replica's own acceptance of an expiry
  // (the refusal protects the others), and keeps its expiry duty from proposing one
  // again and again while the holder is alive.
  note_seen(*lease);
  context_.send(from, KeepAliveAck{m.key, m.request, alive});
}

void Leases::on(NodeId from, KeepAliveAck& m) {
  auto it = rounds_.find(m.request);
  if (it == rounds_.end() || it->second.key != m.key) return;
  Round& round = it->second;
  if (round.acks.counted(from) || round.refusals.counted(from)) return;
  if (m.ok) {
    round.acks.add(from);
    if (round.acks.reached()) finish(it, Outcome::kOk);
  } else {
    round.refusals.add(from);
    if (round.refusals.reached()) finish(it, Outcome::kNotFound);
  }
}

void Leases::finish(std::map<std::uint64_t, Round>::iterator round, Outcome outcome) {
  context_.complete(round->second.id, outcome, 0);
  rounds_.erase(round);
}

void Leases::tick() {
  const TimeMs now = context_.now();
  for (auto it = rounds_.begin(); it != rounds_.end();) {
    Round& round = it->second;
    if (now >= round.deadline) {
      auto done = it++;
      finish(done, Outcome::kNoQuorum);
      continue;
    }
    if (const std::uint64_t config = context_.configuration().version; round.config != config) {
      // Answers of another configuration's acceptors count for nothing in this one: the
      // round starts over in the configuration now in force.
      round.config = config;
      round.acks = QuorumTally(context_.peers().rule());
      round.refusals = QuorumTally(context_.peers().rule());
      round.resend_at = now;
    }
    if (now >= round.resend_at) {
      round.resend_at = now + context_.config().retry_timeout_ms;
      for (NodeId member : context_.peers().members()) {
        if (!round.acks.counted(member) && !round.refusals.counted(member)) {
          context_.send(member, KeepAlive{round.key, it->first, round.config});
        }
      }
    }
    ++it;
  }
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

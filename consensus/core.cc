// The core's dispatcher: routes client requests, messages and ticks to the roles (see
// roles.h), which share the CoreContext.
#include "consensus/core.h"

#include <utility>

#include "consensus/build_variant.h"
#include "consensus/core_context.h"
#include "consensus/roles.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class Core::Impl {
 public:
  Impl(CoreConfig config, const StateReader& reader)
      : context_(std::move(config), reader, [this](KeyState& ks) { on_load(ks); }),
        roles_(context_) {}

  void submit(RequestId id, const std::string& key, Operation op, TimeMs deadline) {
    KeyState& ks = context_.keys().state(key);
    if (std::holds_alternative<ReadOp>(op)) {
      roles_.reads.submit(key, ks, id, deadline);
    } else {
      roles_.proposer.submit(key, ks, id, std::move(op), deadline);
    }
    flush_local();
  }

  void keep_alive(RequestId id, std::uint64_t lease, TimeMs deadline) {
    roles_.leases.keep_alive(id, lease, deadline);
    flush_local();
  }

  TimeMs lease_last_seen(std::uint64_t lease) const { return roles_.leases.last_seen(lease); }

  void receive(NodeId from, Message message) {
    // Any sender: a replica joining, or one removed that must learn it was. Only voters'
    // answers count in a round (see QuorumTally), and acceptors answer by configuration.
    context_.peers().heard_from(from);
    handle(from, std::move(message));
    flush_local();
  }

  void tick(TimeMs now) {
    context_.advance_to(now);
    roles_.leases.on_clock();
    roles_.leases.tick();
    KeyTable& keys = context_.keys();
    for (const std::string& key : keys.active_keys()) {
      KeyState* ks = keys.find(key);
      if (ks == nullptr) {
        keys.set_idle(key);
        continue;
      }
      tick_key(key, *ks);
      if (!busy(*ks)) keys.set_idle(key);
    }
    roles_.forwarding.forget_old();
    keys.evict_idle(context_.config().max_cached_keys, &Impl::busy);
    flush_local();
    context_.release_late_persist();
  }

  bool has_ready() const { return context_.has_ready(); }
  Ready take_ready() { return context_.take_ready(); }
  void on_persisted(std::uint64_t number) { context_.keys().on_persisted(number); }
  const CoreCounters& counters() const { return context_.counters(); }
  const Configuration& configuration() const { return context_.configuration(); }
  std::size_t cached_keys() { return context_.keys().size(); }
  void set_peer_reachable(NodeId peer, bool reachable) {
    context_.peers().set_reachable(peer, reachable);
  }

 private:
  // A key just read from the store.
  void on_load(KeyState& ks) {
    drop_settled_proposal(ks);  // a store written by an earlier version may still hold it
    roles_.proposer.restore_leadership(ks);
  }

  // Whether the key has something to do at the next tick.
  static bool busy(const KeyState& ks) {
    return Proposer::busy(ks) || Forwarding::busy(ks) || QuorumReads::busy(ks) || Learner::busy(ks);
  }

  void tick_key(const std::string& key, KeyState& ks) {
    roles_.proposer.expire_writes(key, ks);
    roles_.forwarding.expire_parked(key, ks);
    roles_.reads.expire(ks);
    roles_.forwarding.take_back_from_quiet_leader(ks);
    roles_.proposer.tick(key, ks);
    roles_.reads.tick(key, ks);
    roles_.learner.tick(key, ks);
    roles_.proposer.drive(key, ks);
  }

  // Messages to ourselves are handled at once (see CoreContext::send).
  void flush_local() {
    while (std::optional<Message> message = context_.next_local()) {
      handle(context_.self(), std::move(*message));
    }
  }

  void handle(NodeId from, Message message) {
    std::visit([&](auto& m) { route(from, m); }, message);
  }

  void route(NodeId from, Prepare& m) { roles_.acceptor.on(from, m); }
  void route(NodeId from, Accept& m) { roles_.acceptor.on(from, m); }
  void route(NodeId from, Promise& m) { roles_.proposer.on(from, m); }
  void route(NodeId from, Accepted& m) { roles_.proposer.on(from, m); }
  void route(NodeId from, Reject& m) { roles_.proposer.on(from, m); }
  void route(NodeId from, Commit& m) { roles_.learner.on(from, m); }
  void route(NodeId from, CatchUpRequest& m) { roles_.learner.on(from, m); }
  void route(NodeId from, CatchUpReply& m) { roles_.learner.on(from, m); }
  void route(NodeId from, ReadQuery& m) { roles_.reads.on(from, m); }
  void route(NodeId from, ReadReply& m) { roles_.reads.on(from, m); }
  void route(NodeId from, ForwardRequest& m) { roles_.forwarding.on(from, m); }
  void route(NodeId from, ForwardReply& m) { roles_.forwarding.on(from, m); }
  void route(NodeId from, ForwardWithdraw& m) { roles_.forwarding.on(from, m); }
  void route(NodeId from, ForwardWithdrawn& m) { roles_.forwarding.on(from, m); }
  void route(NodeId from, KeepAlive& m) {
    if (roles_.reconfiguration.answers(from, m.config)) roles_.leases.on(from, m);
  }
  void route(NodeId from, KeepAliveAck& m) { roles_.leases.on(from, m); }

  CoreContext context_;
  Roles roles_;
};

bool may_precede_persist(const Message& message) {
  return std::holds_alternative<Accept>(message) || std::holds_alternative<Commit>(message) ||
         std::holds_alternative<CatchUpRequest>(message) ||
         std::holds_alternative<CatchUpReply>(message) ||
         std::holds_alternative<ReadQuery>(message) ||
         std::holds_alternative<ForwardRequest>(message) ||
         std::holds_alternative<ForwardWithdraw>(message);
}

Core::Core(CoreConfig config, const StateReader& reader)
    : impl_(std::make_unique<Impl>(std::move(config), reader)) {}
Core::~Core() = default;

void Core::submit(RequestId id, const std::string& key, Operation op, TimeMs deadline) {
  impl_->submit(id, key, std::move(op), deadline);
}
void Core::keep_alive(RequestId id, std::uint64_t lease, TimeMs deadline) {
  impl_->keep_alive(id, lease, deadline);
}
TimeMs Core::lease_last_seen(std::uint64_t lease) const {
  return impl_->lease_last_seen(lease);
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
const Configuration& Core::configuration() const {
  return impl_->configuration();
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

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

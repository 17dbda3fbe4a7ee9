// A cluster of consensus cores whose messages a test delivers, drops and reorders by
// hand, one by one: for scripted scenarios.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "consensus/core.h"
#include "consensus/lease.h"
#include "tests/consensus/mem_storage.h"

namespace paxoskv::sim {

struct Envelope {
  consensus::NodeId from = 0;
  consensus::NodeId to = 0;
  consensus::Message message;
};

template <typename T>
bool is(const Envelope& envelope) {
  return std::holds_alternative<T>(envelope.message);
}

class ScriptedCluster {
 public:
  // `configure` may change each replica's core config (planted bugs, cache size).
  explicit ScriptedCluster(int size, std::function<void(consensus::CoreConfig&)> configure = {})
      : configure_(std::move(configure)) {
    for (int i = 1; i <= size; ++i) members_.push_back(static_cast<consensus::NodeId>(i));
    for (consensus::NodeId id : members_) {
      storage_[id] = std::make_unique<MemStorage>();
      start(id);
    }
  }

  void submit(consensus::NodeId at, consensus::RequestId id, const std::string& key,
              consensus::Operation op, consensus::TimeMs timeout_ms = 100000) {
    core(at).submit(id, key, std::move(op), now_ + timeout_ms);
    drain(at);
  }

  // A lease keepalive (see consensus/lease.h) asked of replica `at`.
  void keep_alive(consensus::NodeId at, consensus::RequestId id, consensus::LeaseId lease,
                  consensus::TimeMs timeout_ms = 5000) {
    core(at).keep_alive(id, lease, now_ + timeout_ms);
    drain(at);
  }

  const consensus::CoreCounters& counters(consensus::NodeId id) { return core(id).counters(); }

  // Delivers, in order, every queued message for which `match` holds, and what those
  // deliveries send in turn, until no queued message matches.
  int deliver(const std::function<bool(const Envelope&)>& match) {
    int delivered = 0;
    for (bool progress = true; progress;) {
      progress = false;
      for (std::size_t i = 0; i < outbox_.size(); ++i) {
        if (!match(outbox_[i])) continue;
        Envelope envelope = std::move(outbox_[i]);
        outbox_.erase(outbox_.begin() + static_cast<std::ptrdiff_t>(i));
        if (watcher_.delivered) watcher_.delivered(envelope);
        if (cores_.contains(envelope.to)) {
          core(envelope.to).receive(envelope.from, std::move(envelope.message));
          drain(envelope.to);
        }
        ++delivered;
        progress = true;
        break;
      }
    }
    return delivered;
  }

  int deliver_all() {
    return deliver([](const Envelope&) { return true; });
  }

  int drop(const std::function<bool(const Envelope&)>& match) {
    const auto before = outbox_.size();
    std::erase_if(outbox_, match);
    return static_cast<int>(before - outbox_.size());
  }

  std::vector<Envelope> queued(const std::function<bool(const Envelope&)>& match) const {
    std::vector<Envelope> found;
    for (const Envelope& envelope : outbox_) {
      if (match(envelope)) found.push_back(envelope);
    }
    return found;
  }

  // Shown every message as it is delivered (also to a replica that is down, which loses
  // it) and every non-empty Ready as a replica takes it, before either is carried out:
  // for tests that print what happens.
  struct Watcher {
    std::function<void(const Envelope&)> delivered;
    std::function<void(consensus::NodeId, const consensus::Ready&)> took_ready;
  };
  void watch(Watcher watcher) { watcher_ = std::move(watcher); }

  // From now on replica `id`'s disk is stuck: what its Readies persist never completes,
  // so only their early messages (consensus::may_precede_persist) leave. A crash loses
  // the rest.
  void stall_disk(consensus::NodeId id) { stalled_.insert(id); }

  // Loses the core and everything it had not persisted, and what it had not sent. The
  // others' transports notice: it is unreachable until it starts again.
  void crash(consensus::NodeId id) {
    stalled_.erase(id);
    cores_.erase(id);
    std::erase_if(outbox_, [id](const Envelope& envelope) { return envelope.from == id; });
    for (auto& [other, core] : cores_) core->set_peer_reachable(id, false);
  }

  void start(consensus::NodeId id) {
    consensus::CoreConfig config;
    config.self = id;
    for (consensus::NodeId member : members_)
      config.founding_members.push_back({member, "sim:" + std::to_string(member)});
    config.seed = id;
    config.incarnation = ++incarnations_[id];
    if (configure_) configure_(config);
    cores_[id] = std::make_unique<consensus::Core>(config, *storage_[id]);
    cores_[id]->tick(now_);
    for (auto& [other, core] : cores_) core->set_peer_reachable(id, true);
  }

  // Replica `id`'s ticks stop until thaw(id): what it receives meanwhile is handled with
  // the time of its last tick, like a replica whose event loop stalled and then handles
  // the messages that queued up before its timer.
  void freeze_ticks(consensus::NodeId id) { frozen_.insert(id); }
  void thaw(consensus::NodeId id) { frozen_.erase(id); }

  void advance(consensus::TimeMs ms) {
    now_ += ms;
    for (auto& [id, core] : cores_) {
      if (frozen_.contains(id)) continue;
      core->tick(now_);
      drain(id);
    }
  }

  std::optional<consensus::Completion> completion(consensus::RequestId id) const {
    auto it = completions_.find(id);
    if (it == completions_.end()) return std::nullopt;
    return it->second;
  }

  consensus::AppliedRecord applied(consensus::NodeId id, const std::string& key) const {
    return storage_.at(id)->load(key).applied;
  }

  consensus::AcceptorRecord acceptor(consensus::NodeId id, const std::string& key) const {
    return storage_.at(id)->load(key).acceptor;
  }

  // The configuration in force at replica `id` (which must be up).
  const consensus::Configuration& configuration(consensus::NodeId id) {
    return core(id).configuration();
  }

  // Every key replica `id`'s store holds any record of, in order.
  std::vector<std::string> stored_keys(consensus::NodeId id) const {
    return storage_.at(id)->keys();
  }

  // The value chosen for (key, version), as any replica applied it.
  std::optional<consensus::KeyValue> chosen(const std::string& key,
                                            consensus::Version version) const {
    auto it = chosen_.find({key, version});
    if (it == chosen_.end()) return std::nullopt;
    return it->second;
  }

 private:
  consensus::Core& core(consensus::NodeId id) {
    auto it = cores_.find(id);
    if (it == cores_.end()) throw std::logic_error("replica is down");
    return *it->second;
  }

  void drain(consensus::NodeId id) {
    consensus::Ready ready = core(id).take_ready();
    if (watcher_.took_ready && !ready.empty()) watcher_.took_ready(id, ready);
    if (stalled_.contains(id) && !ready.persist.empty()) {
      for (consensus::Outbound& out : ready.messages) {
        if (out.to != id && consensus::may_precede_persist(out.message)) {
          outbox_.push_back(Envelope{id, out.to, std::move(out.message)});
        }
      }
      return;  // the rest waits for a write that never ends
    }
    storage_[id]->write(ready.persist);
    core(id).on_persisted(ready.number);
    for (const consensus::PersistRecord& record : ready.persist) {
      if (!record.applied) continue;
      auto [it, inserted] = chosen_.emplace(std::make_pair(record.key, record.applied->version),
                                            record.applied->value);
      if (!inserted && it->second != record.applied->value) {
        throw std::logic_error("two values chosen for one slot");
      }
    }
    std::vector<consensus::Message> to_self;
    for (consensus::Outbound& out : ready.messages) {
      if (out.to == id) {
        to_self.push_back(std::move(out.message));  // persisted already: hand it back
      } else {
        outbox_.push_back(Envelope{id, out.to, std::move(out.message)});
      }
    }
    for (const consensus::Completion& completion : ready.completions) {
      completions_[completion.id] = completion;
    }
    for (consensus::Message& message : to_self) {
      core(id).receive(id, std::move(message));
      drain(id);
    }
  }

  std::function<void(consensus::CoreConfig&)> configure_;
  Watcher watcher_;
  std::vector<consensus::NodeId> members_;
  std::map<consensus::NodeId, std::unique_ptr<MemStorage>> storage_;
  std::map<consensus::NodeId, std::unique_ptr<consensus::Core>> cores_;
  std::map<consensus::NodeId, std::uint64_t> incarnations_;  // durable, like the store's
  std::set<consensus::NodeId> stalled_;
  std::set<consensus::NodeId> frozen_;
  std::vector<Envelope> outbox_;
  std::map<consensus::RequestId, consensus::Completion> completions_;
  std::map<std::pair<std::string, consensus::Version>, consensus::KeyValue> chosen_;
  consensus::TimeMs now_ = 0;
};

}  // namespace paxoskv::sim

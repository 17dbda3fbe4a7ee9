#include "tests/consensus/lease_simulation.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "tests/consensus/mem_storage.h"
#include "tests/consensus/simulation.h"

namespace paxoskv::sim {

using consensus::Completion;
using consensus::Core;
using consensus::CoreConfig;
using consensus::LeaseId;
using consensus::LeaseRecord;
using consensus::LeaseState;
using consensus::Message;
using consensus::NodeId;
using consensus::Outcome;
using consensus::RequestId;
using consensus::TimeMs;
using consensus::Version;

LeaseSimOptions lease_options_for_seed(std::uint64_t seed) {
  std::mt19937_64 rng(seed * 6271 + 5);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  LeaseSimOptions options;
  options.seed = seed;
  options.replicas = pick(0, 2) == 0 ? 5 : 3;
  options.holders = pick(2, 4);
  options.locks = pick(1, 2);
  options.sessions_per_holder = pick(2, 4);
  options.ttl_ms = static_cast<TimeMs>(pick(10, 30) * 100);
  options.drop_rate = pick(0, 10) / 100.0;
  options.duplicate_rate = pick(0, 5) / 100.0;
  options.max_delay_ms = static_cast<TimeMs>(pick(2, 25));
  options.partitions = pick(0, 3) != 0;
  options.crashes = pick(0, 3) != 0;
  options.fault_period_ms = static_cast<TimeMs>(pick(3000, 8000));
  options.request_timeout_ms = default_request_timeout_ms();
  // Drawn last, so that the draws above stay what they were for every seed.
  if (pick(0, 2) == 0) options.max_cached_keys = 1;
  return options;
}

namespace {

constexpr TimeMs kTickEveryMs = 5;
constexpr TimeMs kExpiryLatenessMs = 2000;  // the API's bound: TTL + 2 s
constexpr TimeMs kMaxRunAfterHealMs = 300000;
constexpr TimeMs kAntiEntropyEveryMs = 1000;

struct InFlight {
  TimeMs at = 0;
  std::uint64_t sequence = 0;
  NodeId from = 0;
  NodeId to = 0;
  int to_incarnation = 0;
  Message message;
};

struct LaterFirst {
  bool operator()(const InFlight& a, const InFlight& b) const {
    return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
  }
};

struct SimReplica {
  NodeId id = 0;
  MemStorage storage;
  std::unique_ptr<Core> core;
  int incarnation = 0;
  TimeMs restart_at = 0;
  // This life's clock: it starts at `clock_base` and runs at 1 + drift_ppm / 10^6.
  TimeMs life_started = 0;
  TimeMs clock_base = 0;
  std::int64_t drift_ppm = 0;
  TimeMs last_sweep = 0;
  std::set<LeaseId> expiring;
  std::set<std::string> deleting;
  std::map<RequestId, std::function<void(const Completion&)>> pending;
};

// What the run knows of a lease in real time.
struct LeaseTruth {
  TimeMs ttl = 0;
  // The latest send time of the grant or a keepalive answered ok, plus the TTL: the lease
  // may not expire before this.
  TimeMs safe_until = 0;
  TimeMs last_sent = 0;  // of the grant or any keepalive, whatever its answer
  // Until when a replica may still renew it: the last send time of a keepalive answered
  // ok, or a request timeout past that of one without an answer (its replica resends it
  // until its deadline).
  TimeMs renewable_until = 0;
  std::optional<TimeMs> expired_at;  // when its expiry was chosen (see the header)
  std::optional<TimeMs> revoke_sent;
  bool ended = false;  // a terminal state was applied somewhere
};

struct Hold {
  std::string lock;
  Version token = 0;
  TimeMs from = 0;
  LeaseId lease = 0;
  int holder = 0;
};

enum class Phase { idle, granting, acquiring, holding, done };

struct Holder {
  int id = 0;
  Phase phase = Phase::idle;
  int sessions_left = 0;
  LeaseId lease = 0;
  std::string lock;
  bool waiting = false;
  std::uint64_t token = 0;  // of the request awaited: later answers of older ones are ignored
  TimeMs gives_up_at = 0;
  TimeMs next_at = 0;
  int keepalives_left = 0;
  bool will_revoke = false;
};

class LeaseSimulation {
 public:
  explicit LeaseSimulation(const LeaseSimOptions& options) : options_(options), rng_(options.seed) {
    for (int i = 1; i <= options_.replicas; ++i) {
      auto replica = std::make_unique<SimReplica>();
      replica->id = static_cast<NodeId>(i);
      replicas_.push_back(std::move(replica));
    }
    for (auto& replica : replicas_) start(*replica);
    for (int l = 0; l < options_.locks; ++l) locks_.push_back("lock/" + std::to_string(l));
    for (int h = 0; h < options_.holders; ++h) {
      Holder holder;
      holder.id = h;
      holder.sessions_left = options_.sessions_per_holder;
      holder.next_at = uniform(0, 200);
      holders_.push_back(holder);
    }
  }

  LeaseSimResult run() {
    const TimeMs heal_at = options_.fault_period_ms;
    TimeMs next_fault = uniform(options_.fault_gap_min_ms, options_.fault_gap_max_ms);
    for (now_ = 0; now_ < heal_at + kMaxRunAfterHealMs && result_.ok; ++now_) {
      if (now_ < heal_at && now_ >= next_fault) {
        inject_fault();
        next_fault = now_ + uniform(options_.fault_gap_min_ms, options_.fault_gap_max_ms);
      }
      if (now_ == heal_at) heal();
      for (auto& replica : replicas_) {
        if (!replica->core && now_ >= replica->restart_at) start(*replica);
      }
      deliver_due_messages();
      run_holders();
      if (now_ % kAntiEntropyEveryMs == 0) pull_changes();
      if (now_ % kTickEveryMs == 0) {
        for (auto& replica : replicas_) {
          if (!replica->core) continue;
          replica->core->tick(local_now(*replica));
          sweep(*replica);
          process_ready(*replica);
        }
      }
      check_lateness();
      if (now_ > heal_at && all_done()) break;
    }
    if (result_.ok && !all_done()) fail("liveness: not ended after healing: " + unfinished());
    if (result_.ok) check_expiries();
    if (result_.ok) check_holds();
    return result_;
  }

 private:
  TimeMs uniform(TimeMs lo, TimeMs hi) {
    return std::uniform_int_distribution<TimeMs>(lo, hi)(rng_);
  }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  bool faults_active() const { return now_ < options_.fault_period_ms; }
  std::size_t majority() const { return replicas_.size() / 2 + 1; }

  void fail(const std::string& what) {
    if (!result_.ok) return;
    result_.ok = false;
    std::ostringstream out;
    out << "lease seed " << options_.seed << " (" << options_.replicas << " replicas, "
        << options_.holders << " holders, ttl " << options_.ttl_ms << " ms) at t=" << now_
        << " ms: " << what;
    result_.failure = out.str();
  }

  // ---- replicas and their clocks ------------------------------------------------------

  TimeMs local_now(const SimReplica& replica) const {
    const auto passed = static_cast<std::int64_t>(now_ - replica.life_started);
    return replica.clock_base +
           static_cast<TimeMs>(passed + passed * replica.drift_ppm / 1'000'000);
  }

  void start(SimReplica& replica) {
    CoreConfig config;
    config.self = replica.id;
    for (const auto& member : replicas_) {
      config.founding_members.push_back({member->id, "sim:" + std::to_string(member->id)});
    }
    config.seed =
        options_.seed * 1000 + replica.id * 10 + static_cast<std::uint64_t>(replica.incarnation);
    config.planted_bug = options_.planted_bug;
    config.incarnation = static_cast<std::uint64_t>(replica.incarnation) + 1;
    config.request_timeout_ms = options_.request_timeout_ms;
    config.max_cached_keys = options_.max_cached_keys;
    // A monotonic clock starts anywhere at each boot, and runs at its own rate.
    replica.life_started = now_;
    replica.clock_base = uniform(0, 1'000'000);
    replica.drift_ppm =
        static_cast<std::int64_t>(uniform(0, 2 * options_.drift_ppm)) - options_.drift_ppm;
    replica.last_sweep = replica.clock_base;
    replica.expiring.clear();
    replica.deleting.clear();
    replica.pending.clear();
    replica.core = std::make_unique<Core>(config, replica.storage);
    replica.core->tick(local_now(replica));
    ++replica.incarnation;
  }

  void crash(SimReplica& replica) {
    replica.core.reset();
    replica.pending.clear();
    replica.restart_at = now_ + uniform(20, 1500);
    ++result_.crashes;
  }

  SimReplica& replica(NodeId id) { return *replicas_[id - 1]; }

  bool reachable(NodeId from, NodeId to) {
    return replica(to).core && !blocked_.contains({from, to}) && !blocked_.contains({to, from});
  }

  void process_ready(SimReplica& replica) {
    while (replica.core && replica.core->has_ready()) {
      consensus::Ready ready = replica.core->take_ready();
      observe(replica, ready);
      replica.storage.write(ready.persist);  // synced at once: the store's own tests do faults
      replica.core->on_persisted(ready.number);
      for (consensus::Outbound& out : ready.messages)
        send(replica.id, out.to, std::move(out.message));
      for (const Completion& completion : ready.completions) {
        auto it = replica.pending.find(completion.id);
        if (it == replica.pending.end()) continue;
        auto done = std::move(it->second);
        replica.pending.erase(it);
        done(completion);
      }
    }
  }

  // Notes when a lease's expiry was chosen: a majority persisted its acceptance (or the
  // first replica applied it), and when a terminal state or a value was chosen.
  void observe(const SimReplica& replica, const consensus::Ready& ready) {
    for (const consensus::PersistRecord& record : ready.persist) {
      const auto lease = consensus::lease_of_key(record.key);
      if (record.applied) {
        auto [it, inserted] = chosen_.emplace(std::make_pair(record.key, record.applied->version),
                                              record.applied->value);
        if (!inserted && it->second != record.applied->value) {
          fail("safety: two values chosen for " + printable(record.key) + " version " +
               std::to_string(record.applied->version));
        }
        latest_[record.key] = std::max(latest_[record.key], record.applied->version);
        if (trace_ && inserted) {
          std::cerr << now_ << " chosen " << printable(record.key) << " v"
                    << record.applied->version << " lease "
                    << consensus::format_lease_id(record.applied->lease) << " value "
                    << (record.applied->value ? printable(*record.applied->value) : "-")
                    << " state "
                    << (consensus::lease_in(record.applied->value)
                            ? static_cast<int>(consensus::lease_in(record.applied->value)->state)
                            : -1)
                    << " (applied at r" << replica.id << ")\n";
        }
      }
      if (!lease || !leases_.contains(*lease)) continue;
      LeaseTruth& truth = leases_[*lease];
      if (record.acceptor && record.acceptor->accepted) {
        const auto& accepted = *record.acceptor->accepted;
        const auto value = consensus::lease_in(accepted.value);
        if (value && value->state == LeaseState::kExpired) {
          auto& voters = acceptances_[{record.key, accepted.slot, accepted.ballot.round,
                                       accepted.ballot.node}];
          voters.insert(replica.id);
          if (trace_) {
            std::cerr << now_ << " r" << replica.id << " accepted expiry of "
                      << consensus::format_lease_id(*lease) << " slot " << accepted.slot
                      << " ballot " << accepted.ballot.round << "." << accepted.ballot.node
                      << " local " << local_now(replica) << " last_seen "
                      << (replica.core ? replica.core->lease_last_seen(*lease) : 0) << "\n";
          }
          if (voters.size() >= majority()) note_expired(truth);
        }
      }
      if (record.applied) {
        const auto value = consensus::lease_in(record.applied->value);
        if (value && value->terminal()) {
          truth.ended = true;
          if (value->state == LeaseState::kExpired) note_expired(truth);
        }
      }
    }
  }

  void note_expired(LeaseTruth& truth) {
    if (truth.expired_at) return;
    truth.expired_at = now_;
    ++result_.expiries;
  }

  static std::string printable(const std::string& key) {
    std::string text = key;
    std::replace(text.begin(), text.end(), '\0', '@');
    return text;
  }

  // ---- the node's expiry duty (src/replica_leases.cc) ---------------------------------

  bool holds_duty(const SimReplica& self) {
    for (const auto& other : replicas_) {
      if (other->id == self.id) return true;
      if (reachable(self.id, other->id)) return false;
    }
    return false;
  }

  RequestId submit(SimReplica& replica, const std::string& key, consensus::Operation op,
                   std::function<void(const Completion&)> done) {
    const RequestId id = next_request_++;
    replica.pending.emplace(id, std::move(done));
    replica.core->submit(id, key, std::move(op), local_now(replica) + options_.request_timeout_ms);
    return id;
  }

  void sweep(SimReplica& replica) {
    const TimeMs local = local_now(replica);
    if (local < replica.last_sweep + consensus::kSweepIntervalMs) return;
    replica.last_sweep = local;
    if (!holds_duty(replica)) return;
    for (const auto& [id, truth] : leases_) {
      const std::string key = consensus::lease_key(id);
      const consensus::AppliedRecord applied = replica.storage.load(key).applied;
      const auto record = consensus::lease_in(applied.value);
      if (!record) continue;
      if (!record->terminal()) {
        const TimeMs wait = options_.planted_bug == consensus::PlantedBug::kLeaseExpiryWithoutMargin
                                ? record->ttl_ms
                                : consensus::expiry_wait(record->ttl_ms);
        if (replica.expiring.contains(id) || local < replica.core->lease_last_seen(id) + wait) {
          continue;
        }
        replica.expiring.insert(id);
        const LeaseRecord expired{record->ttl_ms, LeaseState::kExpired};
        SimReplica* self = &replica;
        submit(replica, key, consensus::PutOp{consensus::encode_lease(expired), applied.version},
               [self, id](const Completion&) { self->expiring.erase(id); });
        continue;
      }
      for (const std::string& lock : locks_) {
        const consensus::AppliedRecord state = replica.storage.load(lock).applied;
        if (!state.value || state.lease != id || replica.deleting.contains(lock)) continue;
        replica.deleting.insert(lock);
        SimReplica* self = &replica;
        submit(replica, lock, consensus::DeleteOp{state.version},
               [self, lock](const Completion&) { self->deleting.erase(lock); });
      }
    }
  }

  // The node's anti-entropy (src/anti_entropy): each replica asks a peer for what it
  // missed of the keys in play, as a catch-up request in its name.
  void pull_changes() {
    for (auto& replica : replicas_) {
      if (!replica->core) continue;
      std::vector<SimReplica*> peers;
      for (auto& peer : replicas_) {
        if (peer != replica && peer->core && !blocked_.contains({replica->id, peer->id}) &&
            !blocked_.contains({peer->id, replica->id})) {
          peers.push_back(peer.get());
        }
      }
      if (peers.empty()) continue;
      SimReplica& peer = *peers[uniform(0, peers.size() - 1)];
      std::vector<std::string> keys = locks_;
      for (const auto& [id, truth] : leases_) keys.push_back(consensus::lease_key(id));
      for (const std::string& key : keys) {
        peer.core->receive(replica->id, consensus::CatchUpRequest{
                                            key, replica->storage.load(key).applied.version});
      }
      process_ready(peer);
    }
  }

  // ---- network and faults -------------------------------------------------------------

  void send(NodeId from, NodeId to, Message message) {
    if (from == to) {
      network_.push(
          InFlight{now_, next_sequence_++, from, to, replica(to).incarnation, std::move(message)});
      return;
    }
    if (blocked_.contains({from, to})) return;
    if (faults_active() && chance(options_.drop_rate)) return;
    const int copies = faults_active() && chance(options_.duplicate_rate) ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
      network_.push(InFlight{now_ + uniform(1, options_.max_delay_ms), next_sequence_++, from, to,
                             replica(to).incarnation, message});
    }
  }

  void deliver_due_messages() {
    while (!network_.empty() && network_.top().at <= now_) {
      InFlight in_flight = network_.top();
      network_.pop();
      SimReplica& target = replica(in_flight.to);
      if (!target.core || blocked_.contains({in_flight.from, in_flight.to})) continue;
      if (in_flight.to_incarnation != target.incarnation) continue;
      target.core->receive(in_flight.from, std::move(in_flight.message));
      process_ready(target);
    }
  }

  void inject_fault() {
    const bool can_partition = options_.partitions;
    const bool can_crash = options_.crashes;
    if (!can_partition && !can_crash) return;
    if (can_crash && (!can_partition || chance(0.5))) {
      // The duty holder half the time: the lowest-id replica up.
      std::vector<SimReplica*> up;
      for (auto& replica : replicas_) {
        if (replica->core) up.push_back(replica.get());
      }
      if (up.size() <= 1) return;
      SimReplica* victim = chance(0.5) ? up.front() : up[uniform(0, up.size() - 1)];
      crash(*victim);
      return;
    }
    blocked_.clear();
    if (chance(0.3)) return;  // healed for a while
    std::vector<NodeId> side;
    for (const auto& replica : replicas_) {
      if (chance(0.5)) side.push_back(replica->id);
    }
    const bool one_way = chance(0.2);
    for (const auto& a : replicas_) {
      for (const auto& b : replicas_) {
        const bool a_in = std::find(side.begin(), side.end(), a->id) != side.end();
        const bool b_in = std::find(side.begin(), side.end(), b->id) != side.end();
        if (a_in && !b_in) {
          blocked_.insert({a->id, b->id});
          if (!one_way) blocked_.insert({b->id, a->id});
        }
      }
    }
  }

  void heal() {
    blocked_.clear();
    for (auto& replica : replicas_) {
      if (!replica->core) replica->restart_at = now_;
    }
  }

  // ---- lock holders ---------------------------------------------------------------------

  SimReplica* any_replica_up() {
    std::vector<SimReplica*> up;
    for (auto& replica : replicas_) {
      if (replica->core) up.push_back(replica.get());
    }
    if (up.empty()) return nullptr;
    return up[uniform(0, up.size() - 1)];
  }

  // Sends a request of `holder` through a random replica; `done` gets the answer unless
  // the holder gave up on it first (after the request timeout).
  void request(Holder& holder, const std::function<void(SimReplica&, RequestId)>& start,
               std::function<void(Holder&, Outcome, Version)> done) {
    SimReplica* through = any_replica_up();
    if (through == nullptr) {
      holder.next_at = now_ + 50;
      return;
    }
    holder.waiting = true;
    holder.gives_up_at = now_ + options_.request_timeout_ms;
    const std::uint64_t token = ++holder.token;
    const int index = holder.id;
    const RequestId id = next_request_++;
    if (trace_) {
      std::cerr << now_ << " holder " << index << " phase " << static_cast<int>(holder.phase)
                << " request " << id << " via " << through->id << "\n";
    }
    through->pending.emplace(id, [this, index, token, done](const Completion& completion) {
      Holder& h = holders_[static_cast<std::size_t>(index)];
      if (trace_) {
        std::cerr << now_ << " holder " << index << " answer " << completion.id << " outcome "
                  << static_cast<int>(completion.outcome) << " v" << completion.version << "\n";
      }
      if (!h.waiting || h.token != token) return;
      h.waiting = false;
      done(h, completion.outcome, completion.version);
    });
    start(*through, id);
    process_ready(*through);
  }

  void run_holders() {
    for (Holder& holder : holders_) {
      if (holder.waiting && now_ >= holder.gives_up_at) {
        holder.waiting = false;
        on_no_answer(holder);
      }
      if (holder.waiting || holder.phase == Phase::done || now_ < holder.next_at) continue;
      step(holder);
    }
  }

  // No answer: the request may still take effect. A holder that does not know whether it
  // holds a lock gives the session up (its lease then ends, and the lock with it).
  void on_no_answer(Holder& holder) {
    LeaseTruth& truth = leases_[holder.lease];
    truth.renewable_until =
        std::max(truth.renewable_until, truth.last_sent + options_.request_timeout_ms);
    if (holder.phase == Phase::holding) {
      holder.next_at = now_;  // a keepalive: try again
      return;
    }
    end_session(holder);
  }

  void end_session(Holder& holder) {
    holder.phase = holder.sessions_left > 0 ? Phase::idle : Phase::done;
    holder.next_at = now_ + uniform(0, 500);
  }

  void step(Holder& holder) {
    switch (holder.phase) {
      case Phase::done:
        return;
      case Phase::idle:
        return grant(holder);
      case Phase::granting:
        return;
      case Phase::acquiring:
        if (now_ >= leases_[holder.lease].last_sent + options_.ttl_ms / 3)
          return keep_alive(holder);
        return acquire(holder);
      case Phase::holding:
        if (holder.keepalives_left > 0) return keep_alive(holder);
        if (holder.will_revoke) return revoke(holder);
        end_session(holder);  // dies silently: its lease runs out
        return;
    }
  }

  void grant(Holder& holder) {
    if (holder.sessions_left == 0) {
      holder.phase = Phase::done;
      return;
    }
    --holder.sessions_left;
    LeaseId id = 0;
    while (id == 0 || leases_.contains(id)) id = rng_();
    holder.lease = id;
    holder.lock = locks_[uniform(0, locks_.size() - 1)];
    holder.phase = Phase::granting;
    LeaseTruth& truth = leases_[id];
    truth.ttl = options_.ttl_ms;
    truth.last_sent = now_;
    ++result_.leases;
    const TimeMs sent = now_;
    const LeaseRecord record{options_.ttl_ms, LeaseState::kLive};
    request(
        holder,
        [this, id, record](SimReplica& replica, RequestId request_id) {
          replica.core->submit(request_id, consensus::lease_key(id),
                               consensus::PutOp{consensus::encode_lease(record), Version{0}},
                               local_now(replica) + options_.request_timeout_ms);
        },
        [this, sent](Holder& h, Outcome outcome, Version) {
          LeaseTruth& t = leases_[h.lease];
          if (outcome != Outcome::kOk) {
            t.renewable_until = std::max(t.renewable_until, sent + options_.request_timeout_ms);
            return end_session(h);
          }
          t.safe_until = std::max(t.safe_until, sent + t.ttl);
          t.renewable_until = std::max(t.renewable_until, sent);
          h.phase = Phase::acquiring;
          h.next_at = now_;
        });
    if (!holder.waiting && holder.phase == Phase::granting) end_session(holder);
  }

  void acquire(Holder& holder) {
    const LeaseId lease = holder.lease;
    const std::string lock = holder.lock;
    request(
        holder,
        [this, lease, lock, index = holder.id](SimReplica& replica, RequestId request_id) {
          replica.core->submit(
              request_id, lock,
              consensus::PutOp{"holder " + std::to_string(index), Version{0}, lease},
              local_now(replica) + options_.request_timeout_ms);
        },
        [this, lease, lock](Holder& h, Outcome outcome, Version version) {
          if (outcome == Outcome::kConflict) {
            h.next_at = now_ + uniform(50, 300);
            return;
          }
          if (outcome != Outcome::kOk) return end_session(h);
          ++result_.acquisitions;
          holds_.push_back(Hold{lock, version, now_, lease, h.id});
          h.phase = Phase::holding;
          h.keepalives_left = static_cast<int>(uniform(0, 5));
          h.will_revoke = chance(0.3);
          h.next_at = now_ + options_.ttl_ms / 3;
        });
  }

  void keep_alive(Holder& holder) {
    const LeaseId lease = holder.lease;
    LeaseTruth& truth = leases_[lease];
    truth.last_sent = now_;
    const TimeMs sent = now_;
    request(
        holder,
        [this, lease](SimReplica& replica, RequestId request_id) {
          replica.core->keep_alive(request_id, lease,
                                   local_now(replica) + options_.request_timeout_ms);
        },
        [this, lease, sent](Holder& h, Outcome outcome, Version) {
          LeaseTruth& t = leases_[lease];
          if (outcome == Outcome::kOk) {
            ++result_.keepalives_ok;
            t.safe_until = std::max(t.safe_until, sent + t.ttl);
            if (h.phase == Phase::holding) --h.keepalives_left;
            // A holder waiting for the lock tries it again at once.
            h.next_at = h.phase == Phase::holding ? sent + options_.ttl_ms / 3 : now_;
            return;
          }
          t.renewable_until = std::max(t.renewable_until, sent + options_.request_timeout_ms);
          if (outcome == Outcome::kNotFound) return end_session(h);
          h.next_at = now_ + 20;  // no quorum: again
        });
  }

  void revoke(Holder& holder) {
    const LeaseId lease = holder.lease;
    // The holder stops holding at its first revoke (a retry must not move that back).
    if (!leases_[lease].revoke_sent) leases_[lease].revoke_sent = now_;
    const LeaseRecord revoked{options_.ttl_ms, LeaseState::kRevoked};
    request(
        holder,
        [this, lease, revoked](SimReplica& replica, RequestId request_id) {
          replica.core->submit(request_id, consensus::lease_key(lease),
                               consensus::PutOp{consensus::encode_lease(revoked), Version{1}},
                               local_now(replica) + options_.request_timeout_ms);
        },
        [this](Holder& h, Outcome, Version) { end_session(h); });
  }

  // ---- checks -------------------------------------------------------------------------

  bool all_done() {
    for (const Holder& holder : holders_) {
      if (holder.phase != Phase::done) return false;
    }
    for (const auto& [id, truth] : leases_) {
      // A grant never chosen made no lease.
      if (!truth.ended && chosen_.contains({consensus::lease_key(id), 1})) return false;
    }
    for (const std::string& lock : locks_) {
      auto version = latest_.find(lock);
      if (version != latest_.end() && chosen_.at({lock, version->second}).has_value()) {
        return false;
      }
    }
    return true;
  }

  std::string unfinished() {
    for (const Holder& holder : holders_) {
      if (holder.phase != Phase::done) {
        std::string where;
        for (const auto& replica : replicas_) {
          const auto applied = replica->storage.load(holder.lock).applied;
          const auto lease = consensus::lease_in(
              replica->storage.load(consensus::lease_key(applied.lease)).applied.value);
          where += " r" + std::to_string(replica->id) + "=v" + std::to_string(applied.version) +
                   (applied.value ? "+" : "-") + consensus::format_lease_id(applied.lease) + "/" +
                   (lease ? std::to_string(static_cast<int>(lease->state)) : "?");
        }
        return "holder " + std::to_string(holder.id) + " in phase " +
               std::to_string(static_cast<int>(holder.phase)) + " lease " +
               consensus::format_lease_id(holder.lease) + " on " + holder.lock + where;
      }
    }
    for (const auto& [id, truth] : leases_) {
      if (!truth.ended && chosen_.contains({consensus::lease_key(id), 1})) {
        std::string where;
        for (const auto& replica : replicas_) {
          const auto record =
              consensus::lease_in(replica->storage.load(consensus::lease_key(id)).applied.value);
          where += " r" + std::to_string(replica->id) + "=" +
                   (record ? std::to_string(static_cast<int>(record->state)) : "-");
        }
        return "lease " + consensus::format_lease_id(id) + where;
      }
    }
    for (const std::string& lock : locks_) {
      auto version = latest_.find(lock);
      if (version != latest_.end() && chosen_.at({lock, version->second}).has_value()) {
        return lock + " at version " + std::to_string(version->second);
      }
    }
    return "nothing";
  }

  // Once healed, a lease whose keepalives stopped ends within TTL + 2 s of the last one.
  void check_lateness() {
    for (const auto& [id, truth] : leases_) {
      if (truth.ended || truth.revoke_sent || truth.last_sent < options_.fault_period_ms) continue;
      if (!chosen_.contains({consensus::lease_key(id), 1})) continue;  // never granted
      const Holder* holder = nullptr;
      for (const Holder& h : holders_) {
        if (h.lease == id) holder = &h;
      }
      // Still kept alive by its holder.
      if (holder && (holder->phase == Phase::holding || holder->phase == Phase::acquiring)) {
        continue;
      }
      const TimeMs last = std::max(truth.last_sent, truth.renewable_until);
      if (now_ > last + truth.ttl + kExpiryLatenessMs) {
        fail("liveness: lease " + consensus::format_lease_id(id) + " not expired " +
             std::to_string(now_ - last) + " ms after its last keepalive (ttl " +
             std::to_string(truth.ttl) + " ms)");
        return;
      }
    }
  }

  void check_expiries() {
    for (const auto& [id, truth] : leases_) {
      if (truth.expired_at && *truth.expired_at < truth.safe_until) {
        fail("safety: lease " + consensus::format_lease_id(id) + " expired at " +
             std::to_string(*truth.expired_at) + " ms, before " + std::to_string(truth.safe_until) +
             " ms (its TTL after the last keepalive answered ok)");
        return;
      }
    }
  }

  TimeMs hold_end(const Hold& hold) {
    const LeaseTruth& truth = leases_[hold.lease];
    TimeMs end = truth.safe_until;
    if (truth.revoke_sent) end = std::min(end, *truth.revoke_sent);
    return end;
  }

  void check_holds() {
    for (const std::string& lock : locks_) {
      std::vector<Hold> holds;
      for (const Hold& hold : holds_) {
        if (hold.lock == lock) holds.push_back(hold);
      }
      std::sort(holds.begin(), holds.end(),
                [](const Hold& a, const Hold& b) { return a.token < b.token; });
      for (std::size_t i = 1; i < holds.size(); ++i) {
        const Hold& before = holds[i - 1];
        const Hold& after = holds[i];
        if (before.token == after.token) {
          fail("safety: two holders of " + lock + " with fencing token " +
               std::to_string(after.token));
          return;
        }
        if (hold_end(before) > after.from) {
          fail("safety: two holders of " + lock + " at once: token " +
               std::to_string(before.token) + " held until " + std::to_string(hold_end(before)) +
               " ms, token " + std::to_string(after.token) + " from " + std::to_string(after.from) +
               " ms");
          return;
        }
      }
    }
  }

  LeaseSimOptions options_;
  std::mt19937_64 rng_;
  TimeMs now_ = 0;
  std::vector<std::unique_ptr<SimReplica>> replicas_;
  std::vector<std::string> locks_;
  std::vector<Holder> holders_;
  std::map<LeaseId, LeaseTruth> leases_;
  std::vector<Hold> holds_;
  std::map<std::tuple<std::string, consensus::Slot, std::uint64_t, NodeId>, std::set<NodeId>>
      acceptances_;
  std::map<std::pair<std::string, Version>, consensus::KeyValue> chosen_;
  std::map<std::string, Version> latest_;
  std::priority_queue<InFlight, std::vector<InFlight>, LaterFirst> network_;
  std::uint64_t next_sequence_ = 0;
  std::set<std::pair<NodeId, NodeId>> blocked_;
  RequestId next_request_ = 1;
  LeaseSimResult result_;
  const bool trace_ = std::getenv("PAXOSKV_SIM_TRACE") != nullptr;
};

}  // namespace

LeaseSimResult run_lease_simulation(const LeaseSimOptions& options) {
  return LeaseSimulation(options).run();
}

}  // namespace paxoskv::sim

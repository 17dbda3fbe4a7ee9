#include "tests/consensus/simulation.h"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>
#include <utility>
#include <vector>

#include "consensus/config_change.h"
#include "paxoskv/options.h"
#include "tests/consensus/mem_storage.h"
#include "tests/consensus/trace/printer.h"
#include "tests/support/linearizability.h"

namespace paxoskv::sim {

using consensus::Completion;
using consensus::Core;
using consensus::CoreConfig;
using consensus::KeyValue;
using consensus::Message;
using consensus::NodeId;
using consensus::Outcome;
using consensus::RequestId;
using consensus::TimeMs;
using consensus::Version;

TimeMs default_request_timeout_ms() {
  if (const char* text = std::getenv("PAXOSKV_SIM_REQUEST_TIMEOUT_MS"); text && *text) {
    return static_cast<TimeMs>(std::strtoull(text, nullptr, 10));
  }
  return static_cast<TimeMs>(Options{}.request_timeout.count());
}

SimOptions options_for_seed(std::uint64_t seed) {
  std::mt19937_64 rng(seed * 7919 + 17);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  SimOptions options;
  options.seed = seed;
  options.replicas = pick(0, 2) == 0 ? 5 : 3;
  options.keys = pick(1, 4);
  options.clients = pick(2, 6);
  options.ops_per_client = pick(15, 35);
  options.drop_rate = pick(0, 10) / 100.0;
  options.duplicate_rate = pick(0, 5) / 100.0;
  options.max_delay_ms = static_cast<TimeMs>(pick(2, 25));
  options.partitions = pick(0, 3) != 0;
  options.crashes = pick(0, 3) != 0;
  options.fault_period_ms = static_cast<TimeMs>(pick(1000, 4000));
  if (pick(0, 3) == 0) {
    // A storm: crashes and partitions every few message delays, on few busy keys.
    options.keys = pick(1, 2);
    options.fault_gap_min_ms = 5;
    options.fault_gap_max_ms = 40;
    options.quick_restart_rate = 0.9;
  }
  if (pick(0, 2) == 0) options.max_cached_keys = 1;
  if (pick(0, 7) == 0) {
    // Long faults: partitions (and downtimes) outlast every retention window of the core
    // (forwarded writes are remembered a request timeout past their answer).
    options.fault_period_ms = pick(8000, 16000);
    options.fault_gap_min_ms = options.request_timeout_ms + 500;
    options.fault_gap_max_ms = options.request_timeout_ms * 2;
  }
  return options;
}

SimOptions membership_options_for_seed(std::uint64_t seed) {
  SimOptions options = options_for_seed(seed);
  std::mt19937_64 rng(seed * 104729 + 3);
  options.membership_changes = static_cast<int>(1 + rng() % 4);
  // Room for the changes among the faults.
  options.fault_period_ms = std::max<TimeMs>(options.fault_period_ms, 2500 + rng() % 2500);
  return options;
}

namespace {

constexpr TimeMs kTickEveryMs = 5;
// Keys carried over at once by a change, and listed per page.
constexpr std::size_t kCarryWindow = 3;
constexpr std::size_t kKeysPerPage = 2;
constexpr TimeMs kSettleAfterHealMs = 1000;
constexpr TimeMs kMaxRunAfterHealMs = 30000;
constexpr TimeMs kQuietPeriodMs = 3000;

struct InFlight {
  TimeMs at = 0;
  std::uint64_t sequence = 0;  // ties broken by send order: deterministic
  NodeId from = 0;
  NodeId to = 0;
  int to_incarnation = 0;  // the receiver's life it was sent to
  Message message;
};

struct LaterFirst {
  bool operator()(const InFlight& a, const InFlight& b) const {
    return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
  }
};

// A Ready whose early messages left and whose persist is still under way, like a
// replica's write queue: persisted, then released, in the order taken.
struct PendingReady {
  TimeMs persisted_at = 0;
  consensus::Ready ready;
};

struct Replica {
  NodeId id = 0;
  std::deque<PendingReady> writing;
  MemStorage storage;
  std::unique_ptr<Core> core;
  bool crash_pending = false;
  TimeMs crash_deadline = 0;
  TimeMs restart_at = 0;
  int incarnation = 0;
  bool joined = false;  // added by a membership change: founds nothing, takes the configuration
};

struct Client {
  int id = 0;
  bool busy = false;
  bool final_read = false;  // the convergence reads at the end
  RequestId request = 0;
  std::size_t history_index = 0;
  TimeMs next_op_at = 0;
  TimeMs gives_up_at = 0;
  int ops_done = 0;
  int ops_total = 0;
  std::map<std::string, Version> last_seen_version;
};

class Simulation {
 public:
  explicit Simulation(const SimOptions& options) : options_(options), rng_(options.seed) {
    for (int i = 1; i <= options_.replicas; ++i) members_.push_back(static_cast<NodeId>(i));
    for (NodeId id : members_) add_replica(id, false);
    if (options_.membership_changes > 0) {
      next_change_at_ = uniform(100, options_.fault_period_ms / 2);
    }
    for (int k = 0; k < options_.keys; ++k) keys_.push_back("key/" + std::to_string(k));
    for (int c = 0; c < options_.clients; ++c) {
      Client client;
      client.id = c;
      client.ops_total = options_.ops_per_client;
      client.next_op_at = uniform(0, 50);
      clients_.push_back(client);
    }
  }

  SimResult run() {
    const TimeMs heal_at = options_.fault_period_ms;
    const TimeMs give_up_at = heal_at + kMaxRunAfterHealMs;
    TimeMs next_fault = uniform(options_.fault_gap_min_ms, options_.fault_gap_max_ms);
    bool final_reads_started = false;
    TimeMs quiet_until = 0;
    for (now_ = 0; now_ < give_up_at && result_.ok; ++now_) {
      if (now_ < heal_at && now_ >= next_fault) {
        inject_fault();
        next_fault = now_ + uniform(options_.fault_gap_min_ms, options_.fault_gap_max_ms);
      }
      if (now_ == heal_at) heal();
      restart_due_replicas();
      for (auto& replica : replicas_) release_persisted(*replica);
      deliver_due_messages();
      run_clients();
      run_membership_changes();
      if (now_ % kTickEveryMs == 0) {
        for (auto& replica : replicas_) {
          if (replica->core) {
            replica->core->tick(now_);
            process_ready(*replica);
          }
        }
      }
      force_due_crashes();
      // The final reads go to the final members: once no change runs (a change may still
      // be finishing after the faults healed).
      if (!final_reads_started && now_ > heal_at && all_clients_done() && !change_ &&
          !latest_configuration().joint()) {
        start_final_reads();
        final_reads_started = true;
      }
      if (final_reads_started && all_clients_done()) {
        // Let late commits and catch-ups settle before comparing replicas.
        if (quiet_until == 0) quiet_until = now_ + kQuietPeriodMs;
        if (now_ >= quiet_until) break;
      }
    }
    if (result_.ok && (change_ || latest_configuration().joint())) {
      fail("liveness: a membership change still running " + std::to_string(now_ - heal_at) +
           " ms after all faults healed");
    }
    if (result_.ok && !(final_reads_started && all_clients_done())) {
      fail("liveness: requests still pending " + std::to_string(now_ - heal_at) +
           " ms after all faults healed");
    }
    // Linearizability first: a lost write shows there as what it is.
    if (result_.ok) check_linearizable();
    if (result_.ok) check_convergence();
    if (digest_) std::cerr << "digest seed " << options_.seed << " " << ready_digest_ << "\n";
    return result_;
  }

 private:
  // ---- randomness ---------------------------------------------------------------------

  TimeMs uniform(TimeMs lo, TimeMs hi) {
    return std::uniform_int_distribution<TimeMs>(lo, hi)(rng_);
  }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  bool faults_active() const { return now_ < options_.fault_period_ms; }

  // FNV-1a over the text of every Ready, with the time it was taken.
  void fold_into_digest(const std::string& text) {
    for (const char c : text) {
      ready_digest_ ^= static_cast<unsigned char>(c);
      ready_digest_ *= 1099511628211ULL;
    }
  }

  void fail(const std::string& what) {
    if (!result_.ok) return;
    result_.ok = false;
    std::ostringstream out;
    out << "seed " << options_.seed << " (" << options_.replicas << " replicas, " << options_.keys
        << " keys, " << options_.clients << " clients) at t=" << now_ << " ms: " << what;
    result_.failure = out.str();
  }

  // ---- replicas -----------------------------------------------------------------------

  // A new replica, started at once or (restart_due_replicas) at `start_at`.
  void add_replica(NodeId id, bool joined, TimeMs start_at = 0) {
    auto replica = std::make_unique<Replica>();
    replica->id = id;
    replica->joined = joined;
    replicas_.push_back(std::move(replica));
    all_ids_.push_back(id);
    if (start_at <= now_) {
      start(*replicas_.back());
    } else {
      replicas_.back()->restart_at = start_at;
    }
  }

  static std::string address_of(NodeId id) { return "sim:" + std::to_string(id); }

  void start(Replica& replica) {
    CoreConfig config;
    config.self = replica.id;
    if (!replica.joined) {
      for (NodeId member : members_)
        config.founding_members.push_back({member, address_of(member)});
    }
    config.seed =
        options_.seed * 1000 + replica.id * 10 + static_cast<std::uint64_t>(replica.incarnation);
    config.planted_bug = options_.planted_bug;
    config.incarnation = static_cast<std::uint64_t>(replica.incarnation) + 1;  // durable
    config.max_cached_keys = options_.max_cached_keys;
    config.request_timeout_ms = request_timeout_of(replica.id);
    replica.core = std::make_unique<Core>(config, replica.storage);
    replica.core->tick(now_);
    ++replica.incarnation;
  }

  // The crash strikes while writing: a prefix of the write queue reaches the disk, the
  // rest is lost, and nothing of it leaves. As the machine goes down with the replica,
  // writes that were not synced may be lost too: all but a prefix of them.
  void crash(Replica& replica) {
    while (!replica.writing.empty() && chance(0.5)) {
      persist(replica, replica.writing.front().ready);
      replica.writing.pop_front();
    }
    replica.writing.clear();
    const std::size_t unsynced = replica.storage.unsynced_writes();
    replica.storage.lose_unsynced(chance(0.5) ? unsynced : uniform(0, unsynced));
    if (trace_) std::cerr << now_ << " crash " << replica.id << "\n";
    replica.core.reset();
    if (change_ && change_runner_ == replica.id) drop_change();
    replica.crash_pending = false;
    // Quick restarts matter: a replica back within a message delay meets its old traffic.
    replica.restart_at =
        now_ + (chance(options_.quick_restart_rate) ? uniform(1, 30) : uniform(50, 1200));
    ++result_.crashes;
  }

  void restart_due_replicas() {
    for (auto& replica : replicas_) {
      if (!replica->core && now_ >= replica->restart_at) start(*replica);
    }
  }

  void force_due_crashes() {
    for (auto& replica : replicas_) {
      if (replica->core && replica->crash_pending && now_ >= replica->crash_deadline) {
        crash(*replica);
      }
    }
  }

  Replica& replica(NodeId id) { return *replicas_[id - 1]; }

  TimeMs request_timeout_of(NodeId id) const {
    const auto& own = options_.replica_request_timeouts_ms;
    return id <= own.size() ? own[id - 1] : options_.request_timeout_ms;
  }

  TimeMs longest_request_timeout() const {
    TimeMs longest = options_.request_timeout_ms;
    for (TimeMs timeout : options_.replica_request_timeouts_ms) {
      longest = std::max(longest, timeout);
    }
    return longest;
  }

  // Does what a node does with a Ready: send what may go early, queue the persist (it
  // takes a while, and the core goes on meanwhile), then release the rest in order once
  // persisted (release_persisted).
  void process_ready(Replica& replica) {
    if (!replica.core || !replica.core->has_ready()) return;
    consensus::Ready ready = replica.core->take_ready();
    if (digest_) fold_into_digest(std::to_string(now_) + " " + trace::describe(replica.id, ready));
    for (consensus::Outbound& out : ready.messages) {
      if (consensus::may_precede_persist(out.message)) send(replica.id, out.to, out.message);
    }
    TimeMs at = now_ + (chance(0.5) ? 0 : uniform(1, 3));
    if (!replica.writing.empty()) at = std::max(at, replica.writing.back().persisted_at);
    replica.writing.push_back(PendingReady{at, std::move(ready)});
    if (at <= now_) release_persisted(replica);
  }

  void release_persisted(Replica& replica) {
    while (replica.core && !replica.writing.empty() &&
           replica.writing.front().persisted_at <= now_) {
      if (replica.crash_pending) {
        crash(replica);
        return;
      }
      consensus::Ready ready = std::move(replica.writing.front().ready);
      replica.writing.pop_front();
      persist(replica, ready);
      replica.core->on_persisted(ready.number);
      for (consensus::Outbound& out : ready.messages) {
        if (!consensus::may_precede_persist(out.message)) {
          send(replica.id, out.to, std::move(out.message));
        }
      }
      for (Completion& completion : ready.completions) on_completion(completion);
    }
  }

  void persist(Replica& replica, const consensus::Ready& ready) {
    for (const consensus::PersistRecord& record : ready.persist) {
      if (!record.applied) continue;
      const Version before = replica.storage.load(record.key).applied.version;
      if (record.applied->version <= before) {
        fail("replica " + std::to_string(replica.id) + " applied version " +
             std::to_string(record.applied->version) + " of " + record.key + " after " +
             std::to_string(before));
      }
      auto [it, inserted] = chosen_.emplace(std::make_pair(record.key, record.applied->version),
                                            record.applied->value);
      if (!inserted && it->second != record.applied->value) {
        fail("safety: two different values chosen for " + record.key + " version " +
             std::to_string(record.applied->version));
      }
    }
    if (ready.sync) {
      replica.storage.write(ready.persist);
    } else {
      replica.storage.write_unsynced(ready.persist);
    }
  }

  // ---- network ------------------------------------------------------------------------

  void send(NodeId from, NodeId to, Message message) {
    ++result_.messages;
    if (from == to) {  // handed back to the replica itself: no network in between
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
      Replica& target = replica(in_flight.to);
      if (!target.core || blocked_.contains({in_flight.from, in_flight.to})) continue;
      // Replicas talk over TCP: what was on its way to a replica that crashed died with
      // the connection, and a restarted replica only hears what was sent to it since.
      if (in_flight.to_incarnation != target.incarnation) continue;
      if (trace_) {
        std::cerr << now_ << " " << trace::describe(in_flight.from, in_flight.to, in_flight.message)
                  << "\n";
      }
      target.core->receive(in_flight.from, std::move(in_flight.message));
      process_ready(target);
    }
  }

  // ---- faults -------------------------------------------------------------------------

  void inject_fault() {
    const bool can_partition = options_.partitions;
    const bool can_crash = options_.crashes;
    if (!can_partition && !can_crash) return;
    if (can_partition && (!can_crash || chance(0.5))) {
      blocked_.clear();
      if (chance(0.3)) return;  // heal for a while
      std::vector<NodeId> side;
      for (NodeId id : all_ids_) {
        if (chance(0.5)) side.push_back(id);
      }
      // Sometimes one way only: the side hears the others, they do not hear it.
      const bool one_way = chance(0.25);
      for (NodeId a : all_ids_) {
        for (NodeId b : all_ids_) {
          const bool a_in = std::find(side.begin(), side.end(), a) != side.end();
          const bool b_in = std::find(side.begin(), side.end(), b) != side.end();
          if (a_in != b_in && (!one_way || a_in)) blocked_.insert({a, b});
        }
      }
      return;
    }
    Replica& victim = replica(all_ids_[uniform(0, all_ids_.size() - 1)]);
    if (victim.core && !victim.crash_pending) {
      victim.crash_pending = true;
      victim.crash_deadline = now_ + uniform(0, 20);
    }
  }

  void heal() {
    blocked_.clear();
    for (auto& replica : replicas_) {
      replica->crash_pending = false;
      if (!replica->core) replica->restart_at = now_;
    }
  }

  // ---- clients ------------------------------------------------------------------------

  bool all_clients_done() const {
    return std::all_of(clients_.begin(), clients_.end(), [](const Client& client) {
      return !client.busy && client.ops_done >= client.ops_total;
    });
  }

  void run_clients() {
    for (Client& client : clients_) {
      if (client.busy && now_ >= client.gives_up_at) {
        // No answer (its replica crashed): the outcome stays unknown.
        requests_.erase(client.request);
        client.busy = false;
        ++result_.ops_unknown;
        client.next_op_at = now_ + uniform(0, 30);
      }
      if (!client.busy && client.ops_done < client.ops_total && now_ >= client.next_op_at) {
        issue(client);
      }
    }
  }

  void issue(Client& client) {
    const std::string& key = keys_[uniform(0, keys_.size() - 1)];
    check::HistoryOp op;
    op.client = client.id;
    op.key = key;
    op.invoked = now_;
    op.result = check::OpResult::kUnknown;
    consensus::Operation operation;
    const auto known = client.last_seen_version[key];
    const TimeMs dice = uniform(0, 99);
    if (dice < 30) {
      op.kind = check::OpKind::kPut;
      op.value = "c" + std::to_string(client.id) + "-" + std::to_string(client.ops_done);
      operation = consensus::PutOp{op.value, std::nullopt};
    } else if (dice < 40) {
      op.kind = check::OpKind::kDelete;
      operation = consensus::DeleteOp{std::nullopt};
    } else if (dice < 55) {
      op.kind = check::OpKind::kPut;
      op.expected = chance(0.8) ? known : uniform(0, known + 1);
      op.value = "c" + std::to_string(client.id) + "-" + std::to_string(client.ops_done) + "-cas";
      operation = consensus::PutOp{op.value, op.expected};
    } else if (dice < 60) {
      op.kind = check::OpKind::kDelete;
      op.expected = known;
      operation = consensus::DeleteOp{op.expected};
    } else {
      op.kind = check::OpKind::kRead;
      operation = consensus::ReadOp{};
    }
    submit(client, std::move(op), std::move(operation));
    ++client.ops_done;
  }

  void submit(Client& client, check::HistoryOp op, consensus::Operation operation) {
    // Clients pick any live replica, as users pick any endpoint; a replica that knows
    // itself no member (removed, or joining) would refuse them.
    std::vector<NodeId> live;
    for (auto& replica : replicas_) {
      if (replica->core && replica->core->configuration().is_member(replica->id)) {
        live.push_back(replica->id);
      }
    }
    const std::string key = op.key;
    client.busy = true;
    client.request = next_request_++;
    client.history_index = history_.size();
    client.gives_up_at = now_ + longest_request_timeout() + 100;
    history_.push_back(std::move(op));
    requests_[client.request] = client.id;
    if (live.empty()) return;  // nobody to talk to: it will give up
    Replica& target = replica(live[uniform(0, live.size() - 1)]);
    if (trace_) {
      std::cerr << now_ << " request " << client.request << " at replica " << target.id << ": "
                << check::describe(history_.back()) << "\n";
    }
    target.core->submit(client.request, key, std::move(operation),
                        now_ + request_timeout_of(target.id));
    process_ready(target);
  }

  void on_completion(const Completion& completion) {
    if (auto change = change_requests_.find(completion.id); change != change_requests_.end()) {
      change_results_.emplace_back(change->second, completion.outcome);
      change_requests_.erase(change);
      return;
    }
    auto it = requests_.find(completion.id);
    if (it == requests_.end()) return;
    Client& client = clients_[static_cast<std::size_t>(it->second)];
    requests_.erase(it);
    if (trace_) {
      std::cerr << now_ << " completion of request " << completion.id << ": outcome "
                << static_cast<int>(completion.outcome) << " version " << completion.version
                << "\n";
    }
    client.busy = false;
    client.next_op_at = now_ + uniform(0, 30);
    check::HistoryOp& op = history_[client.history_index];
    op.completed = now_;
    op.version = completion.version;
    switch (completion.outcome) {
      case Outcome::kOk:
        op.result = check::OpResult::kOk;
        if (op.kind == check::OpKind::kRead) op.read_value = completion.value;
        break;
      case Outcome::kNotFound:
        op.result = check::OpResult::kNotFound;
        break;
      case Outcome::kConflict:
        op.result = check::OpResult::kConflict;
        break;
      case Outcome::kUnknown:
        // Allowed at any time: the key moved past the write before its proposer learned
        // whether it was chosen (e.g. a leader back from a partition).
        op.result = check::OpResult::kUnknown;
        ++result_.ops_ambiguous;
        return;
      case Outcome::kNoQuorum:
        op.result = check::OpResult::kUnknown;
        ++result_.ops_unknown;
        if (op.invoked >= options_.fault_period_ms + kSettleAfterHealMs) {
          fail("liveness: request " + check::describe(op) +
               " v=" + std::to_string(completion.version) + " failed with no quorum after healing");
        }
        return;
    }
    ++result_.ops_completed;
    client.last_seen_version[op.key] = completion.version;
  }

  // Every replica reads every key once more, linearizably: afterwards all must agree.
  void start_final_reads() {
    for (auto& replica : replicas_) {
      if (!is_final_member(replica->id)) continue;
      for (const std::string& key : keys_) {
        Client reader;
        reader.id = static_cast<int>(clients_.size());
        reader.final_read = true;
        reader.ops_total = 1;
        reader.ops_done = 1;
        clients_.push_back(reader);
        check::HistoryOp op;
        op.client = reader.id;
        op.key = key;
        op.kind = check::OpKind::kRead;
        op.invoked = now_;
        op.result = check::OpResult::kUnknown;
        Client& stored = clients_.back();
        stored.busy = true;
        stored.request = next_request_++;
        stored.history_index = history_.size();
        stored.gives_up_at = now_ + kMaxRunAfterHealMs;
        history_.push_back(std::move(op));
        requests_[stored.request] = stored.id;
        replica->core->submit(stored.request, key, consensus::ReadOp{},
                              now_ + request_timeout_of(replica->id));
        process_ready(*replica);
      }
    }
  }

  // ---- checks -------------------------------------------------------------------------

  void check_convergence() {
    for (const std::string& key : keys_) {
      std::optional<std::pair<NodeId, consensus::AppliedRecord>> first;
      for (auto& replica : replicas_) {
        if (!is_final_member(replica->id)) continue;
        const consensus::AppliedRecord applied = replica->storage.load(key).applied;
        if (!first) first.emplace(replica->id, applied);
        if (applied.version != first->second.version || applied.value != first->second.value) {
          fail("agreement: replica " + std::to_string(replica->id) + " ends with " + key +
               " at version " + std::to_string(applied.version) + ", replica " +
               std::to_string(first->first) + " at " + std::to_string(first->second.version));
          return;
        }
      }
    }
  }

  // The configuration of the highest version any replica applied.
  const consensus::Configuration& latest_configuration() const {
    const consensus::Configuration* latest = nullptr;
    for (const auto& replica : replicas_) {
      if (!replica->core) continue;
      const consensus::Configuration& known = replica->core->configuration();
      if (latest == nullptr || known.version > latest->version) latest = &known;
    }
    return *latest;
  }

  bool is_final_member(NodeId id) const { return latest_configuration().is_voter(id); }

  // ---- membership changes -------------------------------------------------------------

  // One change at a time, run by a random member as an operator's request would be;
  // between changes a pause. A new replica starts with the request, or a little later.
  void run_membership_changes() {
    if (change_) {
      drive_change();
      return;
    }
    if (now_ >= options_.fault_period_ms) return finish_half_done_change();
    if (changes_started_ >= options_.membership_changes || now_ < next_change_at_) return;
    std::vector<NodeId> runners;
    for (auto& replica : replicas_) {
      if (replica->core && replica->core->configuration().is_member(replica->id)) {
        runners.push_back(replica->id);
      }
    }
    if (runners.empty()) return;
    change_runner_ = runners[uniform(0, runners.size() - 1)];
    const consensus::Configuration& known = replica(change_runner_).core->configuration();
    const std::vector<NodeId> members = known.member_ids();
    consensus::ChangeRequest request;
    const bool add = members.size() <= 2 || (members.size() < 6 && chance(0.5));
    if (add) {
      request.kind = consensus::ChangeRequest::Kind::kAdd;
      request.member = {static_cast<NodeId>(replicas_.size() + 1), {}};
      request.member.address = address_of(request.member.id);
    } else {
      request.kind = consensus::ChangeRequest::Kind::kRemove;
      request.member = {members[uniform(0, members.size() - 1)], {}};
    }
    ++changes_started_;
    if (trace_) {
      std::cerr << now_ << " change at " << change_runner_ << ": " << (add ? "add " : "remove ")
                << request.member.id << "\n";
    }
    change_.emplace(request, kCarryWindow, options_.planted_bug);
    change_->begin(known);
    if (add) {
      // Started with the request, or a little later by its operator.
      add_replica(request.member.id, true, chance(0.5) ? now_ : now_ + uniform(1, 800));
    }
    drive_change();
  }

  // A change whose runner crashed may leave the joint configuration in force (it serves,
  // under both majorities). After the faults, the operator asks for that change again at
  // a random voter: the change finishes the one half done, and finds its own done.
  void finish_half_done_change() {
    const consensus::Configuration& latest = latest_configuration();
    if (!latest.joint() || now_ < next_change_at_) return;
    std::vector<NodeId> runners;
    for (auto& replica : replicas_) {
      if (replica->core && replica->core->configuration().is_voter(replica->id)) {
        runners.push_back(replica->id);
      }
    }
    if (runners.empty()) return;
    consensus::ChangeRequest request;
    const std::vector<NodeId> leaving = latest.leaving_ids();
    for (const consensus::ConfigMember& member : latest.members) {
      if (std::find(leaving.begin(), leaving.end(), member.id) == leaving.end()) {
        request = {consensus::ChangeRequest::Kind::kAdd, member};
      }
    }
    for (const consensus::ConfigMember& member : latest.leaving) {
      if (!latest.is_member(member.id)) {
        request = {consensus::ChangeRequest::Kind::kRemove, member};
      }
    }
    change_runner_ = runners[uniform(0, runners.size() - 1)];
    if (trace_) {
      std::cerr << now_ << " change at " << change_runner_ << ": finish the half-done one\n";
    }
    change_.emplace(request, kCarryWindow, options_.planted_bug);
    change_->begin(replica(change_runner_).core->configuration());
    drive_change();
  }

  void drive_change() {
    Replica& runner = replica(change_runner_);
    if (!runner.core) return drop_change();
    for (auto& [key, outcome] : std::exchange(change_results_, {})) {
      change_->on_submitted(key, outcome, runner.core->configuration());
    }
    if (pending_list_) retry_list_keys();
    bool progress = true;
    while (progress && change_ && !change_->finished()) {
      progress = false;
      for (consensus::ChangeStep& step : change_->take_steps()) {
        progress = true;
        if (step.kind == consensus::ChangeStep::Kind::kSubmit) {
          const RequestId id = next_request_++;
          change_requests_[id] = step.key;
          runner.core->submit(id, step.key, std::move(step.op),
                              now_ + request_timeout_of(runner.id));
          process_ready(runner);  // may crash the runner, which drops the change
          if (!change_) return;
        } else if (!list_keys(step)) {
          // Tried again at the next step of the simulation.
          pending_list_ = PendingList{std::move(step), runner.core->configuration().version, 0};
        }
      }
    }
    if (change_ && change_->finished()) {
      if (change_->failure() == consensus::ChangeFailure::kNone) ++result_.changes_done;
      if (trace_) {
        std::cerr << now_ << " change done: failure " << static_cast<int>(change_->failure())
                  << "\n";
      }
      drop_change();
    }
  }

  // The keys a random majority of `step.from` holds any record of, one page after
  // `step.after`: a key that may have been chosen under that configuration is held by a
  // majority of it, so by one of these. Only replicas in the runner's configuration (the
  // joint one) answer, as on the replica (see membership::KeyListRequest): one still in
  // the configuration being left could accept a key for it after answering. False if no
  // majority can answer now.
  bool list_keys(const consensus::ChangeStep& step) {
    const consensus::Version config = replica(change_runner_).core->configuration().version;
    std::vector<NodeId> from;
    for (NodeId id : step.from) {
      const Replica& candidate = replica(id);
      if (candidate.core && candidate.core->configuration().version == config) {
        from.push_back(id);
      }
    }
    if (from.size() < step.from.size() / 2 + 1) return false;
    std::shuffle(from.begin(), from.end(), rng_);
    from.resize(step.from.size() / 2 + 1);
    std::set<std::string> keys;
    for (NodeId id : from) {
      for (std::string& key : replica(id).storage.keys()) {
        if (step.after.empty() || key > step.after) keys.insert(std::move(key));
      }
    }
    std::vector<std::string> page;
    for (const std::string& key : keys) {
      if (page.size() == kKeysPerPage) break;
      page.push_back(key);
    }
    const bool more = keys.size() > page.size();
    change_->on_keys(std::move(page), more);
    return true;
  }

  // A key list no majority could answer: the runner may be behind on the configuration
  // (as on the replica, it asks the replicas it lists from for a newer one). Once its
  // configuration moved on, the change ends the carry: its next write of the
  // configuration finds the newer one in force (a compare-and-set that fails).
  void retry_list_keys() {
    Replica& runner = replica(change_runner_);
    if (runner.core->configuration().version != pending_list_->config) {
      pending_list_.reset();
      change_->on_keys({}, false);
      return;
    }
    if (list_keys(pending_list_->step)) {
      pending_list_.reset();
      return;
    }
    if (now_ < pending_list_->next_ask_at) return;
    pending_list_->next_ask_at = now_ + 100;
    // As on the replica: the runner asks each for a newer configuration, and one behind
    // the runner (asked for keys under a configuration it does not have) asks the runner.
    for (NodeId peer : pending_list_->step.from) {
      const Replica& other = replica(peer);
      if (peer == runner.id || !other.core) continue;
      const consensus::Version theirs = other.core->configuration().version;
      if (theirs < pending_list_->config) {
        send(peer, runner.id,
             consensus::CatchUpRequest{std::string(consensus::kConfigKey), theirs});
      } else {
        send(runner.id, peer,
             consensus::CatchUpRequest{std::string(consensus::kConfigKey), pending_list_->config});
      }
    }
  }

  void drop_change() {
    change_.reset();
    pending_list_.reset();
    change_requests_.clear();
    change_results_.clear();
    next_change_at_ = now_ + uniform(100, 1500);
  }

  void check_linearizable() {
    const check::CheckOutcome outcome = check::check_history(history_);
    result_.inconclusive = outcome.inconclusive;
    if (!outcome.linearizable) fail("linearizability: " + outcome.explanation);
  }

  SimOptions options_;
  std::mt19937_64 rng_;
  TimeMs now_ = 0;
  std::vector<NodeId> members_;  // the founding ones
  std::vector<NodeId> all_ids_;  // every replica ever started, added ones too
  std::vector<std::unique_ptr<Replica>> replicas_;
  std::vector<std::string> keys_;
  std::vector<Client> clients_;
  std::unordered_map<RequestId, int> requests_;  // request -> client
  RequestId next_request_ = 1;
  std::vector<check::HistoryOp> history_;
  std::priority_queue<InFlight, std::vector<InFlight>, LaterFirst> network_;
  std::uint64_t next_sequence_ = 0;
  std::set<std::pair<NodeId, NodeId>> blocked_;
  std::map<std::pair<std::string, Version>, KeyValue> chosen_;
  SimResult result_;
  // The membership change under way, the replica running it, its requests to the core and
  // their answers not yet handed to it.
  std::optional<consensus::ConfigChange> change_;
  NodeId change_runner_ = 0;
  std::map<RequestId, std::string> change_requests_;
  std::vector<std::pair<std::string, Outcome>> change_results_;
  struct PendingList {
    consensus::ChangeStep step;
    consensus::Version config = 0;  // the runner's when the step was taken
    TimeMs next_ask_at = 0;
  };
  std::optional<PendingList> pending_list_;  // a key list no majority could answer yet
  int changes_started_ = 0;
  TimeMs next_change_at_ = 0;
  bool trace_ = std::getenv("PAXOSKV_SIM_TRACE") != nullptr;
  // PAXOSKV_SIM_DIGEST=1: one line per seed with a digest of everything the cores gave
  // out (every Ready, when taken), so that two builds can be shown to behave the same,
  // seed by seed and message by message, not only with the same verdicts.
  bool digest_ = std::getenv("PAXOSKV_SIM_DIGEST") != nullptr;
  std::uint64_t ready_digest_ = 14695981039346656037ULL;
};

}  // namespace

SimResult run_simulation(const SimOptions& options) {
  return Simulation(options).run();
}

}  // namespace paxoskv::sim

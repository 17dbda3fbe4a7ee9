// One replica at work: the consensus core, its store and its transport, driven on one
// io_context thread. Everything here runs on that thread (see Node for the thread-safe
// face).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "consensus/core.h"
#include "kvstore/store.h"
#include "paxoskv/lease.h"
#include "paxoskv/membership.h"
#include "paxoskv/options.h"
#include "paxoskv/readiness.h"
#include "paxoskv/result.h"
#include "src/anti_entropy/anti_entropy.h"
#include "src/auth/token_table.h"
#include "src/free_space_guard.h"
#include "src/lease/lease_table.h"
#include "src/membership/change_runner.h"
#include "src/peer_round_trips.h"
#include "src/store_quota.h"
#include "src/transport/peer_message.h"
#include "src/transport/transport.h"
#include "src/waiters.h"
#include "src/write_queue.h"

namespace paxoskv {

struct ReplicaCounters {
  consensus::CoreCounters core;
  kvstore::WriteCounters store;
  TransportCounters transport;
  std::uint64_t requests_in_flight = 0;
  std::uint64_t waiters = 0;
  std::size_t cached_keys = 0;
  AntiEntropyCounters sync;
  std::uint64_t keys_carried = 0;  // by the membership changes this replica ran
  // Request-to-answer times by peer (see PeerRoundTrips): every peer this replica knew in
  // this run, zero counts for one never measured.
  std::map<consensus::NodeId, kvstore::LatencyCounts> peer_round_trips;
};

class Replica {
 public:
  using Callback = std::function<void(Result)>;
  using MembershipCallback = std::function<void(MembershipResult)>;
  using LeaseCallback = std::function<void(LeaseResult)>;

  // Opens the store and binds the peer address (throws std::runtime_error on failure).
  // `store_options` lets tests put the store on a faulty disk.
  Replica(boost::asio::io_context& io, const Options& options,
          const kvstore::StoreOptions& store_options = {});
  ~Replica();
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // Once the replica takes part in the protocol (or must not), with the reason if not.
  using StartedCallback = std::function<void(std::optional<std::string> refusal)>;

  // Starts serving peers. On a store whose founding check is pending (a new data dir,
  // see src/founding_check.h) it takes part in the protocol only once the check passed;
  // if a peer knows its id as having served, it never does and reports the refusal.
  // `started` runs once: at once, or later on the io thread.
  void start(StartedCallback started);
  // Fails every request in flight with shutting_down and stops talking to peers.
  void stop();
  // Reads the peer TLS files again (see PeerTransport::use_tls); new peer connections use
  // them. If they cannot be used, logs why and keeps the certificates in use. Call on the
  // replica's thread. False if nothing was reloaded (no peer TLS, or bad files).
  bool reload_peer_tls();

  // Whether the store's quota (Options::quota_bytes) may refuse a put: a put that frees
  // space (a revoke's) is exempt.
  enum class QuotaCheck { kApplies, kExempt };
  void submit(const std::string& key, consensus::Operation op, Callback done,
              QuotaCheck quota = QuotaCheck::kApplies);
  void wait_key(const std::string& key, std::uint64_t after_version,
                std::chrono::milliseconds timeout, Callback done);
  void wait_prefix(const std::string& prefix, std::uint64_t after_index,
                   std::chrono::milliseconds timeout, Waiters::ChangesCallback done);

  // Leases (see consensus/lease.h and Node): each answers on the replica's thread.
  void grant_lease(consensus::LeaseId id, consensus::TimeMs ttl_ms, LeaseCallback done);
  void keep_alive_lease(consensus::LeaseId id, LeaseCallback done);
  void revoke_lease(consensus::LeaseId id, Callback done);
  void lease_info(consensus::LeaseId id, LeaseCallback done);
  // A put attaching the key to lease `op.lease`, refused with not_found unless it is live.
  void put_with_lease(const std::string& key, consensus::PutOp op, Callback done);

  // Runs a membership change (after those asked for before it); `done` runs on the
  // replica's thread once it is in force, or failed.
  void change_members(consensus::ChangeRequest request, MembershipCallback done);

  // Thread-safe: the configuration in force here, and whether it retired this replica.
  Membership membership() const;
  bool removed() const { return removed_.load(); }

  // Thread-safe reads of the applied state.
  Result read_local(const std::string& key) const;
  ListResult list(const std::string& prefix, const std::string& after, std::size_t limit) const;
  std::uint64_t index() const { return store_.index(); }
  // Thread-safe: as last seen by the replica's thread (every tick).
  bool reachable(consensus::NodeId peer) const;
  // Thread-safe: as last seen by the replica's thread (every tick).
  Readiness readiness() const;
  // Thread-safe: the tokens as this replica applied them (at once, no I/O).
  const auth::TokenTable& tokens() const { return tokens_; }
  auth::TokenTable& tokens() { return tokens_; }

  ReplicaCounters counters() const;

  // A barrier for a snapshot (see replica_snapshot.cc): `done` gets ok once this
  // replica's store holds every write acknowledged before the call, no_quorum if some
  // member did not answer within the request timeout.
  void snapshot_barrier(Callback done);
  // A consistent scan of this replica's store as it is now (any thread).
  std::unique_ptr<kvstore::Store::AppliedScan> scan_store() const { return store_.scan_applied(); }

 private:
  // Answers the snapshot barriers whose write is durable.
  void answer_snapshot_barriers();

  // Fills the token table from the store (at start; later, applied states update it).
  void load_tokens();
  // Fills the lease table from the store: the leases, and every key attached to one.
  void load_leases();
  // Calls `then` with ok and the lease's record if lease `id` is live (this replica's
  // applied state, or a linearizable read where it knows nothing of it), else with the
  // failure (not_found "lease not found" for an unknown or ended lease).
  void with_live_lease(consensus::LeaseId id,
                       std::function<void(Result, consensus::LeaseRecord)> then);
  LeaseInfo lease_info_of(consensus::LeaseId id, const consensus::LeaseRecord& record) const;
  // The expiry duty (see consensus/lease.h): expires leases whose time ran out here, and
  // deletes the keys of ended leases. Only the lowest-id voter this replica can reach.
  void sweep_leases();
  void take_expiry_duty();
  bool holds_expiry_duty() const;
  // Deletes the keys this replica knows attached to lease `id`, then calls `then`.
  void delete_lease_keys(consensus::LeaseId id, std::function<void()> then);
  void refresh_reachability();
  // For other threads (reachable()): once a tick, not per request.
  void publish_reachability();
  // Readiness as of now (latches caught_up_); see Readiness.
  Readiness assess_readiness();
  void check_founding();
  void begin_serving();
  // Makes sure `peer` is durably known as having served before a message of it is acted on.
  void remember(consensus::NodeId peer);
  void on_peer_message(consensus::NodeId from, PeerMessage message);
  // Sends a message of the core to a peer, noting when for the round trips.
  void send_to_peer(consensus::NodeId to, const consensus::Message& message);
  // Submits an operation of this replica's own (a membership change's): no client limits.
  void submit_internal(const std::string& key, consensus::Operation op,
                       std::function<void(consensus::Outcome)> done);
  // A key list is answered once what this replica wrote before it is durable (see
  // membership::KeyListRequest).
  // Why `request` must not begin (the members reached would not make a majority of the
  // configuration it leads to), or nullopt.
  std::optional<std::string> refuse_without_majority(const consensus::ChangeRequest& request) const;
  void ask_key_list(consensus::NodeId to, const membership::KeyListRequest& request);
  void on_key_list_request(consensus::NodeId from, const membership::KeyListRequest& request);
  void answer_key_lists();
  // Follows the configuration in force: peers, anti-entropy, the status, removal.
  void follow_configuration();
  // A replica started with --join and no configuration yet asks its --cluster peers.
  void ask_for_configuration();
  void schedule_tick();
  // Group commit: what the core produced since the last flush goes to the write queue
  // (writes queued while one is under way share the next synced batch); early messages
  // leave at once, the rest once durable, in order.
  void request_flush();
  void flush();
  void on_durable(std::uint64_t seq);
  // A write failed: nothing waiting for it (or for a later one) may ever leave. Stops.
  void on_disk_failure(const std::string& error);
  void note_write_failure(const std::string& what);
  [[noreturn]] void stop_on_write_failure(const std::exception& error);
  void release();
  consensus::TimeMs now() const;

  boost::asio::io_context& io_;
  Options options_;
  kvstore::Store store_;
  FreeSpaceGuard free_space_;
  StoreQuota quota_;
  consensus::Core core_;
  PeerTransport transport_;
  PeerRoundTrips round_trips_;
  Waiters waiters_;
  AntiEntropy anti_entropy_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer founding_timer_;
  std::chrono::steady_clock::time_point founding_deadline_;
  StartedCallback on_started_;
  // Taking part in the protocol: peer messages are dropped until then.
  bool serving_ = false;
  // Peers it received protocol messages from, as in the store (Store::known_peers).
  std::set<consensus::NodeId> known_peers_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  struct PendingRequest {
    Callback done;
    bool is_read = false;
    std::function<void(consensus::Outcome)> internal;  // set for submit_internal's
  };
  std::unordered_map<consensus::RequestId, PendingRequest> pending_;
  consensus::RequestId next_request_ = 1;
  bool flush_requested_ = false;
  bool stopped_ = false;

  // Membership: the changes this replica runs, the configuration last followed, every
  // peer address it knew in this run (a removed replica stays reachable, so that it can
  // learn that it was removed), key lists waiting for a durable write.
  membership::ChangeRunner changes_;
  std::optional<consensus::Version> followed_config_;
  std::map<consensus::NodeId, std::string> peer_addresses_;
  struct PendingKeyList {
    std::uint64_t seq = 0;
    consensus::NodeId to = 0;
    membership::KeyListRequest request;
  };
  std::deque<PendingKeyList> key_lists_;
  // Snapshot barriers whose pulls are done, waiting for their write to be durable.
  struct PendingBarrier {
    std::uint64_t seq = 0;
    Callback done;
  };
  std::deque<PendingBarrier> snapshot_barriers_;
  std::chrono::steady_clock::time_point config_asked_at_{};
  mutable std::mutex membership_mutex_;
  Membership membership_;                        // guarded by membership_mutex_
  std::map<consensus::NodeId, bool> reachable_;  // guarded by membership_mutex_
  Readiness readiness_;                          // guarded by membership_mutex_
  // When each peer's latest message came (every live peer sends some each second: its
  // anti-entropy pull and its answers to ours), for readiness.
  std::map<consensus::NodeId, std::chrono::steady_clock::time_point> heard_at_;
  bool caught_up_ = false;  // latched: see Readiness::caught_up
  std::atomic<bool> removed_{false};
  auth::TokenTable tokens_;
  lease::LeaseTable leases_;
  std::set<consensus::LeaseId> expiring_;  // expiries this replica proposes now
  std::set<std::string> sweeping_;         // deletes of ended leases' keys under way
  consensus::TimeMs last_sweep_ = 0;

  // What a Ready holds back until its records (and all before them) are durable.
  struct Unreleased {
    std::uint64_t seq = 0;  // the write it waits for
    std::uint64_t ready_number = 0;
    std::vector<consensus::Outbound> messages;
    std::vector<consensus::Completion> completions;
    std::vector<Change> applied;  // states as applied, in order (no change index)
  };
  std::deque<Unreleased> unreleased_;
  const std::vector<Change>* releasing_ = nullptr;  // the applied states being released now
  std::uint64_t last_write_ = 0;
  std::uint64_t durable_write_ = 0;
  WriteQueue writes_;  // last: its thread stops before the rest goes
};

}  // namespace paxoskv

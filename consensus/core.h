// The consensus core of one replica: per-key Paxos (proposer, acceptor, learner) as a
// deterministic state machine. It does no I/O and reads no clock: it is driven by
// submit(), receive() and tick(now), and says what to do through take_ready().
//
// One exception: a key that is not in memory is read from the StateReader, synchronously,
// when a call first needs it (again after it was evicted). Nothing about a key can be
// decided without its records (its acceptor must know its promise before it answers), and
// only the core knows whether a message needs them: a duplicate forwarded write, or an
// answer for a key no longer in memory, needs none. A read ahead by the replica would
// repeat those rules there, and a key read in vain changes which keys are evicted later.
// The reader is the replica's store (kvstore::Store: LevelDB, often from its cache);
// keys in memory need no read.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/configuration.h"
#include "consensus/messages.h"
#include "consensus/operation.h"
#include "consensus/planted_bug.h"
#include "consensus/records.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

struct CoreConfig {
  NodeId self = 0;
  // The configuration the cluster was founded with (version 0): every founding replica,
  // self included, with their addresses. Once the store holds a chosen configuration
  // (kConfigKey), that one is in force instead. Empty for a replica that joins: it waits
  // for the configuration from its peers (see Core::configuration).
  std::vector<ConfigMember> founding_members;
  TimeMs retry_timeout_ms = 200;  // a phase unanswered this long is retried
  TimeMs backoff_max_ms = 300;    // random wait before retrying after a conflict
  // The replica's client request timeout: how long a client's write may wait, here or at
  // the replica it was forwarded from. Forwarded writes are remembered this long past
  // their answer (see SeenForwards).
  TimeMs request_timeout_ms = 5000;
  std::uint64_t seed = 1;               // for the randomized backoff
  std::size_t max_cached_keys = 20000;  // idle keys above this are evicted from memory
  // Must grow at every start of the replica (the node keeps it durably): the ids of its
  // clients' writes, OpId{self, incarnation << 40 | n}, then never repeat.
  std::uint64_t incarnation = 1;
#ifdef PAXOSKV_PLANTED_BUGS
  PlantedBug planted_bug = PlantedBug::kNone;  // only in the test build: see planted_bug.h
#endif
};

struct Outbound {
  NodeId to = 0;
  Message message;
};

// What the replica must do, in this order: send the messages that may precede the
// persist (see may_precede_persist), persist `persist` atomically and durably, then send
// the other messages and deliver `completions`. Readies are persisted and released in the
// order taken; a later Ready's early messages may leave before an earlier one's persist
// completes. Messages addressed to this replica itself (its acceptor's answers to its own
// proposer) are handed back through receive(self, ...) once released.
//
// `sync` says whether `persist` must be synced before anything of the Ready is released:
// it must when it holds a promise or an acceptance (what acceptor answers state). When it
// holds only applied states (and accepted proposals they settle), written is enough, if
// the store keeps its writes in order so that a later synced write makes every earlier
// one durable (kvstore::Store does; LevelDB alone does not, across its log files): a
// crash of the machine then loses at most a suffix of such writes, which leaves a state
// this replica was in before. Nothing released states more than was durable already: a
// chosen state is durable on a majority (as accepted proposals) before any replica
// applies it, and an applied state is dropped only together with the later writes, its
// clearing of the accepted proposal included.
struct Ready {
  std::uint64_t number = 0;  // 1, 2, ... in the order taken
  std::vector<PersistRecord> persist;
  bool sync = false;
  std::vector<Outbound> messages;
  std::vector<Completion> completions;

  bool empty() const { return persist.empty() && messages.empty() && completions.empty(); }
};

// Whether `message` may leave before the records of its Ready are durable. Proposer and
// learner traffic (accept, commit, catch-up, read queries, forwarded writes) states
// nothing about this replica's own durable state: an Accept's ballot was made durable by
// our own promise before the Prepares of that ballot left (they wait for the persist),
// and a Commit follows a quorum of acceptances each released only once durable (our own
// acceptor's included: it answers us through the Ready too). Sending them first lets
// peers persist while we do. Acceptor answers (promise, accepted, reject, read reply),
// prepares and forward replies wait for the persist, like client answers.
bool may_precede_persist(const Message& message);

struct CoreCounters {
  std::uint64_t phase1_rounds = 0;
  std::uint64_t phase2_rounds = 0;
  std::uint64_t fast_path_rounds = 0;  // phase 2 without phase 1 (promise held)
  std::uint64_t conflicts = 0;         // rejects received (a higher promise elsewhere)
  std::uint64_t retries = 0;           // phases retried after a timeout
  std::uint64_t read_rounds = 0;
  std::uint64_t read_rinses = 0;
  std::uint64_t catch_ups = 0;               // states adopted from other replicas
  std::uint64_t versions_skipped = 0;        // versions never applied here: a later one came first
  std::uint64_t unknown_outcomes = 0;        // writes answered kUnknown
  std::uint64_t config_refusals = 0;         // messages of another configuration not answered
  std::uint64_t keys_carried = 0;            // carry-overs done (see CarryOp)
  std::uint64_t forwards = 0;                // writes handed to the key's leader
  std::uint64_t forwards_taken_back = 0;     // ... then proposed here: the leader went quiet
  std::uint64_t accepts_spread = 0;          // phase 2 sent to everyone: an answer was late
  std::uint64_t lease_expiries_refused = 0;  // expiries not accepted: too early on our clock
  std::uint64_t expiries_discarded = 0;      // expiries found in phase 1, shown never chosen
  std::uint64_t expiries_given_up = 0;       // expiries of ours whose phase 2 went unanswered
};

class Core {
 public:
  Core(CoreConfig config, const StateReader& reader);
  ~Core();
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // A client operation on `key`, to complete (or fail with kNoQuorum) by `deadline`.
  void submit(RequestId id, const std::string& key, Operation op, TimeMs deadline);
  // A keepalive of lease `lease` (see lease.h), completed kOk once a majority acknowledged
  // it, kNotFound once a majority refused it (the lease is revoked or expired), kNoQuorum
  // at `deadline`. It writes nothing.
  void keep_alive(RequestId id, std::uint64_t lease, TimeMs deadline);
  // When this replica last saw lease `lease` alive, on its own clock (see Leases).
  TimeMs lease_last_seen(std::uint64_t lease) const;
  // A message from another replica (any replica: the sender need not be a member).
  void receive(NodeId from, Message message);
  // Advances time: retries, backoffs, deadlines, background catch-up.
  void tick(TimeMs now);

  bool has_ready() const;
  Ready take_ready();

  const CoreCounters& counters() const;
  // The configuration in force here: the latest this replica applied.
  const Configuration& configuration() const;
  std::size_t cached_keys() const;
  // What the transport knows of a peer's connection: writes are not handed to a key's
  // leader that is known to be unreachable (all peers count as reachable until told).
  void set_peer_reachable(NodeId peer, bool reachable);
  // Every Ready up to `number` is persisted (written, and synced if it asked for it):
  // idle keys whose records are all in it may be evicted from memory at the next tick,
  // when more than max_cached_keys are held (they are reloaded from the reader when used).
  void on_persisted(std::uint64_t number);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

// Quorum reads: a linearizable read asks every replica what it has applied and whether it
// accepted a proposal above that, and answers once a majority replied (see finish_round
// for why that is linearizable without writing anything). Also the answering side: every
// replica answers such queries from its acceptor and applied records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/messages.h"
#include "consensus/quorum_tally.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class CoreContext;
struct KeyState;
struct Roles;

struct PendingRead {
  RequestId id = 0;
  TimeMs deadline = 0;
  TimeMs submitted_at = 0;
  unsigned rinses = 0;
};

// A read that must not answer before this replica applied `target`.
struct WaitingRead {
  PendingRead read;
  Version target = 0;
  TimeMs since = 0;
};

struct ReadRound {
  std::uint64_t id = 0;
  std::vector<PendingRead> reads;
  QuorumTally replies;
  Version max_version = 0;
  Slot max_accepted_slot = 0;
  TimeMs started = 0;
};

// The quorum reads' part of a key's state.
struct ReadState {
  std::vector<PendingRead> waiting;  // for the next round
  std::optional<ReadRound> round;
  std::vector<WaitingRead> until_applied;
  bool recover_requested = false;  // the proposer runs phase 1 to settle the open slot
};

class QuorumReads {
 public:
  QuorumReads(CoreContext& context, Roles& roles) : context_(context), roles_(roles) {}

  void submit(const std::string& key, KeyState& ks, RequestId id, TimeMs deadline);

  void on(NodeId from, ReadQuery& m);
  void on(NodeId from, ReadReply& m);
  // The learner applied a newer state: reads waiting for it answer.
  void on_applied(KeyState& ks);
  // Phase 1 for `slot`, started at `confirmed_at`, found no value accepted in it: the
  // applied state was the latest at that moment.
  void on_latest_confirmed(KeyState& ks, Slot slot, TimeMs confirmed_at);

  // A new configuration is in force: a round under way starts over under its rule.
  void on_configuration_changed(const std::string& key, KeyState& ks);
  // Starts over a round unanswered too long, and reads again behind an unsettled slot.
  void tick(const std::string& key, KeyState& ks);
  // Fails the reads whose deadline passed.
  void expire(KeyState& ks);
  // Whether the key has reads under way.
  static bool busy(const KeyState& ks);

 private:
  void start_round(const std::string& key, KeyState& ks);
  void finish_round(const std::string& key, KeyState& ks);
  void rinse_waiting_reads(KeyState& ks);
  void complete(const PendingRead& read, const KeyState& ks);

  CoreContext& context_;
  Roles& roles_;
  std::uint64_t next_read_id_ = 0;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

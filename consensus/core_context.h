// What the roles of one replica's core share: its configuration, the time, its peers, the
// keys in memory, the counters, and the Ready they build together (messages, records to
// persist, client answers), with the messages the replica sends itself.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/core.h"
#include "consensus/key_table.h"
#include "consensus/peers.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class CoreContext {
 public:
  CoreContext(CoreConfig config, const StateReader& reader, std::function<void(KeyState&)> on_load);

  const CoreConfig& config() const { return config_; }
  NodeId self() const { return config_.self; }
  // The configuration in force: the latest this replica applied (see configuration.h).
  const Configuration& configuration() const { return configuration_; }
  // Puts a newly applied configuration in force.
  void adopt(Configuration configuration);
  // Whether another configuration came in force since this life of the replica began:
  // a promise won before may have been counted under another quorum rule.
  bool configuration_changed_in_life() const {
    return configuration_.version != life_config_version_;
  }
  TimeMs now() const { return now_; }
  void advance_to(TimeMs now) { now_ = std::max(now_, now); }
  Peers& peers() { return peers_; }
  KeyTable& keys() { return keys_; }
  CoreCounters& counters() { return counters_; }
  const CoreCounters& counters() const { return counters_; }

  // Whether a test planted `bug` (see planted_bug.h): never in the production build.
  constexpr bool planted([[maybe_unused]] PlantedBug bug) const {
#ifdef PAXOSKV_PLANTED_BUGS
    return config_.planted_bug == bug;
#else
    return false;
#endif
  }

  void send(NodeId to, Message message);
  // To every voter, and to ourselves if we are none.
  void broadcast(const Message& message);
  void send_to_peers(const Message& message);
  // The next message this replica sent itself that is handled at once (see send).
  std::optional<Message> next_local();

  void complete(RequestId id, Outcome outcome, Version version, KeyValue value = std::nullopt);

  // A promise or acceptance: synced before any answer states it.
  void persist_acceptor(const std::string& key, KeyState& ks);
  // A new applied state, with the acceptor record, at the next place of the change log.
  void persist_applied(const std::string& key, KeyState& ks);
  // Adds what a planted bug held back to the Ready (never in the production build).
  void release_late_persist();

  bool has_ready() const {
    return !ready_.empty();
  }
  Ready take_ready();

 private:
  CoreConfig config_;
  Configuration configuration_;
  Version life_config_version_ = 0;
  TimeMs now_ = 0;
  Peers peers_;
  KeyTable keys_;
  CoreCounters counters_;
  Ready ready_;
  std::deque<Message> local_;
  std::uint64_t readies_taken_ = 0;
  std::uint64_t last_change_index_ = 0;      // see PersistRecord
  std::vector<PersistRecord> late_persist_;  // only with PlantedBug::kAcceptorPersistsLate
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

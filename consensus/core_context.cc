#include "consensus/core_context.h"

#include <utility>

#include "consensus/build_variant.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

namespace {

bool is_acceptor_answer(const Message& message) {
  return std::holds_alternative<Promise>(message) || std::holds_alternative<Accepted>(message) ||
         std::holds_alternative<Reject>(message) || std::holds_alternative<ReadReply>(message);
}

// The configuration chosen last, as this replica's store holds it; else the founding one.
Configuration configuration_at_start(const CoreConfig& config, const StateReader& reader) {
  const AppliedRecord chosen = reader.load(kConfigKey).applied;
  if (chosen.version > 0 && chosen.value) {
    if (std::optional<Configuration> stored = decode_configuration(*chosen.value, chosen.version)) {
      return *stored;
    }
  }
  Configuration founding;
  founding.members = config.founding_members;
  return founding;
}

}  // namespace

CoreContext::CoreContext(CoreConfig config, const StateReader& reader,
                         std::function<void(KeyState&)> on_load)
    : config_(std::move(config)),
      configuration_(configuration_at_start(config_, reader)),
      life_config_version_(configuration_.version),
      peers_(config_.self, configuration_),
      keys_(reader, std::move(on_load)),
      last_change_index_(reader.change_index()) {}

void CoreContext::adopt(Configuration configuration) {
  configuration_ = std::move(configuration);
  peers_.reconfigure(configuration_);
}

void CoreContext::send(NodeId to, Message message) {
  if (to == config_.self) {
    // Our own acceptor's answers count only once what they state is durable, exactly
    // like a peer's: they go out through the Ready and come back through receive().
    // Other messages to ourselves are handled at once: nothing they cause leaves the
    // replica before the Ready's records are persisted, so this keeps persist-before-send.
    if (is_acceptor_answer(message)) {
      ready_.messages.push_back(Outbound{to, std::move(message)});
    } else {
      local_.push_back(std::move(message));
    }
  } else {
    peers_.sent(to, message, now_);
    ready_.messages.push_back(Outbound{to, std::move(message)});
  }
}

void CoreContext::broadcast(const Message& message) {
  for (NodeId member : peers_.members()) send(member, message);
  // Our own acceptor hears what we ask also when its answer does not count (we are no
  // voter: removed, or not yet added), as in phase 2 (Peers::phase2_targets): its promise
  // of our ballot, durable before the Prepares leave, is what keeps a ballot from being
  // used twice across a crash.
  if (!peers_.is_member(config_.self) && !planted(PlantedBug::kNonVoterSkipsOwnPromise)) {
    send(config_.self, message);
  }
}

void CoreContext::send_to_peers(const Message& message) {
  for (NodeId member : peers_.members()) {
    if (member != config_.self) send(member, message);
  }
}

std::optional<Message> CoreContext::next_local() {
  if (local_.empty()) return std::nullopt;
  Message message = std::move(local_.front());
  local_.pop_front();
  return message;
}

void CoreContext::complete(RequestId id, Outcome outcome, Version version, KeyValue value) {
  ready_.completions.push_back(Completion{id, outcome, version, std::move(value)});
}

void CoreContext::persist_acceptor(const std::string& key, KeyState& ks) {
  ks.acceptor_apart = true;
  if (planted(PlantedBug::kAcceptorPersistsLate)) {
    late_persist_.push_back(PersistRecord{key, ks.acceptor, std::nullopt});
    return;
  }
  ks.persisted_in = readies_taken_ + 1;  // the Ready being built
  ready_.persist.push_back(PersistRecord{key, ks.acceptor, std::nullopt});
  if (!planted(PlantedBug::kPromiseNotSynced)) ready_.sync = true;
}

void CoreContext::persist_applied(const std::string& key, KeyState& ks) {
  ks.persisted_in = readies_taken_ + 1;
  PersistRecord record{key, ks.acceptor, ks.applied};
  record.change_index = ++last_change_index_;
  record.replaces_change_index = std::exchange(ks.change_index, record.change_index);
  record.acceptor_apart = ks.acceptor_apart;
  ks.acceptor_apart = ks.acceptor.accepted.has_value();  // then it stays apart
  ready_.persist.push_back(std::move(record));
  // Which configuration this acceptor knows must never go back: it answers by it.
  if (is_reserved_key(key)) ready_.sync = true;
}

void CoreContext::release_late_persist() {
  for (PersistRecord& record : late_persist_) {
    ready_.persist.push_back(std::move(record));
    ready_.sync = true;
  }
  late_persist_.clear();
}

Ready CoreContext::take_ready() {
  ready_.number = ++readies_taken_;
  return std::exchange(ready_, Ready{});
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

#include "consensus/reconfiguration.h"

#include <optional>
#include <utility>

#include "consensus/build_variant.h"
#include "consensus/configuration.h"
#include "consensus/core_context.h"
#include "consensus/roles.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

bool Reconfiguration::answers(NodeId from, std::uint64_t config) {
  const Version known = context_.configuration().version;
  if (config == known || context_.planted(PlantedBug::kAcceptorIgnoresConfiguration)) {
    return true;
  }
  ++context_.counters().config_refusals;
  const std::string config_key(kConfigKey);
  if (config < known) {
    context_.send(from, chosen_state(config_key, context_.keys().state(config_key)));
  } else {
    context_.send(from, CatchUpRequest{config_key, known});
  }
  return false;
}

void Reconfiguration::on_applied(const std::string& key, const KeyState& ks) {
  if (key != kConfigKey || !ks.applied.value ||
      ks.applied.version <= context_.configuration().version) {
    return;
  }
  std::optional<Configuration> chosen = decode_configuration(*ks.applied.value, ks.applied.version);
  if (!chosen) return;  // only the change driver writes it, always well formed
  context_.adopt(std::move(*chosen));
  roles_.leases.on_configuration_adopted();
  // Promises won and rounds begun were counted under the previous configuration's rule:
  // every key starts over under the new one.
  context_.keys().for_each([&](const std::string& each, KeyState& state) {
    roles_.proposer.on_configuration_changed(each, state);
    roles_.reads.on_configuration_changed(each, state);
  });
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

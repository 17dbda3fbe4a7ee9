// Runs a membership change in a ScriptedCluster to its end, as the node's change runner
// would: for scripted scenarios that change the members.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "consensus/config_change.h"
#include "tests/consensus/scripted_cluster.h"

namespace paxoskv::sim {

// Runs `request` at replica `runner` to its end, as the node's change runner would: every
// message is delivered but those `held` keeps queued. Keys are listed from the first
// majority (by id) of the members left, all in one page. Request ids from `first_id` on
// (each change of a test needs its own).
inline consensus::ChangeFailure run_change(ScriptedCluster& cluster, consensus::NodeId runner,
                                           consensus::ChangeRequest request,
                                           const std::function<bool(const Envelope&)>& held,
                                           consensus::RequestId first_id = 1000) {
  consensus::ConfigChange change(std::move(request), 4);
  change.begin(cluster.configuration(runner));
  std::map<consensus::RequestId, std::string> pending;
  consensus::RequestId next_id = first_id;
  while (!change.finished()) {
    bool progress = false;
    for (consensus::ChangeStep& step : change.take_steps()) {
      progress = true;
      if (step.kind == consensus::ChangeStep::Kind::kSubmit) {
        pending[next_id] = step.key;
        cluster.submit(runner, next_id++, step.key, std::move(step.op));
        continue;
      }
      std::set<std::string> keys;
      const std::size_t majority = step.from.size() / 2 + 1;
      for (std::size_t i = 0; i < majority; ++i) {
        for (const std::string& key : cluster.stored_keys(step.from[i])) {
          if (step.after.empty() || key > step.after) keys.insert(key);
        }
      }
      change.on_keys({keys.begin(), keys.end()}, false);
    }
    progress = cluster.deliver([&](const Envelope& e) { return !held(e); }) > 0 || progress;
    for (auto it = pending.begin(); it != pending.end();) {
      if (std::optional<consensus::Completion> done = cluster.completion(it->first)) {
        progress = true;
        change.on_submitted(it->second, done->outcome, cluster.configuration(runner));
        it = pending.erase(it);
      } else {
        ++it;
      }
    }
    if (!progress) throw std::logic_error("the change is stuck");
  }
  return change.failure();
}

}  // namespace paxoskv::sim

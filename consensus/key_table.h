// The keys one replica's core holds in memory: loaded from the store on first use, and
// evicted once idle and persisted when there are too many; with the set of keys that have
// something to do at the next tick.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/key_state.h"
#include "consensus/records.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class KeyTable {
 public:
  // `on_load` completes the state of a key just read from `reader`.
  KeyTable(const StateReader& reader, std::function<void(KeyState&)> on_load);

  // The key's state, read from the store first if it is not in memory: the core's one
  // synchronous read (see Core). The key is marked active until the next tick looks at it.
  KeyState& state(const std::string& key);
  // The key's state if it is in memory, else nullptr.
  KeyState* find(const std::string& key);

  // The keys marked active, in order.
  std::vector<std::string> active_keys() const { return {active_.begin(), active_.end()}; }
  void set_idle(const std::string& key) { active_.erase(key); }

  // Every Ready up to `number` is persisted.
  void on_persisted(std::uint64_t number);
  // Forgets keys that are not `busy`, not active and whose records are persisted, down to
  // 90% of `max_keys`, once more than that are held: they are reloaded when used.
  void evict_idle(std::size_t max_keys, const std::function<bool(const KeyState&)>& busy);

  std::size_t size() const { return keys_.size(); }
  // Calls `visit` for every key in memory and marks each active.
  void for_each(const std::function<void(const std::string&, KeyState&)>& visit);

 private:
  const StateReader& reader_;
  std::function<void(KeyState&)> on_load_;
  std::unordered_map<std::string, KeyState> keys_;
  std::set<std::string> active_;
  std::uint64_t readies_persisted_ = 0;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

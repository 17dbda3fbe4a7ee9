#include "consensus/key_table.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "consensus/build_variant.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

KeyTable::KeyTable(const StateReader& reader, std::function<void(KeyState&)> on_load)
    : reader_(reader), on_load_(std::move(on_load)) {}

KeyState& KeyTable::state(const std::string& key) {
  auto it = keys_.find(key);
  if (it == keys_.end()) {
    KeyRecord record = reader_.load(key);
    it = keys_.emplace(key, KeyState{}).first;
    KeyState& ks = it->second;
    ks.acceptor = std::move(record.acceptor);
    ks.applied = std::move(record.applied);
    ks.change_index = record.change_index;
    ks.acceptor_apart = record.acceptor_apart;
    on_load_(ks);
  }
  active_.insert(key);  // re-checked at the next tick
  return it->second;
}

KeyState* KeyTable::find(const std::string& key) {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
}

void KeyTable::for_each(const std::function<void(const std::string&, KeyState&)>& visit) {
  // Visiting may load other keys (a rehash would invalidate iterators): keys first.
  std::vector<std::string> keys;
  keys.reserve(keys_.size());
  for (const auto& entry : keys_) keys.push_back(entry.first);
  for (const std::string& key : keys) {
    if (KeyState* ks = find(key)) {
      active_.insert(key);
      visit(key, *ks);
    }
  }
}

void KeyTable::on_persisted(std::uint64_t number) {
  readies_persisted_ = std::max(readies_persisted_, number);
}

void KeyTable::evict_idle(std::size_t max_keys, const std::function<bool(const KeyState&)>& busy) {
  if (keys_.size() <= max_keys) return;
  const std::size_t target = max_keys - max_keys / 10;
  for (auto it = keys_.begin(); it != keys_.end() && keys_.size() > target;) {
    const bool evictable = !busy(it->second) && !active_.contains(it->first) &&
                           it->second.persisted_in <= readies_persisted_;
    it = evictable ? keys_.erase(it) : std::next(it);
  }
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

#include "src/lease/lease_table.h"

#include <spdlog/spdlog.h>

namespace paxoskv::lease {

void LeaseTable::apply(const std::string& key, const consensus::KeyValue& value,
                       consensus::Version version, consensus::LeaseId lease) {
  if (const auto id = consensus::lease_of_key(key)) {
    const auto record = consensus::lease_in(value);
    if (!record) {
      spdlog::warn("lease table: the record of lease {} does not decode", key.substr(7));
      return;
    }
    LeaseEntry& entry = entries_[*id];
    entry.record = *record;
    entry.version = version;
    return;
  }
  if (consensus::is_reserved_key(key)) return;
  detach(key);
  if (lease == 0 || !value) return;
  entries_[lease].keys[key] = version;
  lease_of_key_[key] = lease;
}

void LeaseTable::detach(const std::string& key) {
  auto it = lease_of_key_.find(key);
  if (it == lease_of_key_.end()) return;
  if (auto entry = entries_.find(it->second); entry != entries_.end()) {
    entry->second.keys.erase(key);
  }
  lease_of_key_.erase(it);
}

const LeaseEntry* LeaseTable::find(consensus::LeaseId id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

void LeaseTable::drop_finished() {
  std::erase_if(entries_, [](const auto& item) {
    const LeaseEntry& entry = item.second;
    return entry.record && entry.record->terminal() && entry.keys.empty();
  });
}

}  // namespace paxoskv::lease

// The simulator's durable storage for one replica: survives the replica's crashes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "consensus/records.h"

namespace paxoskv::sim {

class MemStorage : public consensus::StateReader {
 public:
  consensus::KeyRecord load(std::string_view key) const override {
    auto it = records_.find(std::string(key));
    return it == records_.end() ? consensus::KeyRecord{} : it->second;
  }

  // Atomic, like the real store's synced batch.
  void write(const std::vector<consensus::PersistRecord>& batch) {
    for (const consensus::PersistRecord& record : batch) {
      consensus::KeyRecord& stored = records_[record.key];
      if (record.acceptor) stored.acceptor = *record.acceptor;
      if (record.applied) stored.applied = *record.applied;
    }
  }

  const std::map<std::string, consensus::KeyRecord>& records() const { return records_; }

 private:
  std::map<std::string, consensus::KeyRecord> records_;
};

}  // namespace paxoskv::sim

// The simulator's storage for one replica: what is synced survives the replica's crashes;
// what is only written may be lost with them (a crash of the machine).
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "consensus/records.h"

namespace paxoskv::sim {

class MemStorage : public consensus::StateReader {
 public:
  // What a replica reads back: everything written, synced or not (as from the OS cache).
  consensus::KeyRecord load(std::string_view key) const override {
    auto it = records_.find(std::string(key));
    consensus::KeyRecord record = it == records_.end() ? consensus::KeyRecord{} : it->second;
    for (const auto& batch : unsynced_) {
      for (const consensus::PersistRecord& written : batch) {
        if (written.key == key) apply(record, written);
      }
    }
    return record;
  }

  // Atomic and synced, like the real store's synced batch: makes every earlier unsynced
  // write durable too (writes reach the disk in order).
  void write(const std::vector<consensus::PersistRecord>& batch) {
    for (const auto& earlier : unsynced_) apply(earlier);
    unsynced_.clear();
    apply(batch);
  }

  // Atomic but not synced: a crash of the machine may lose it, with every later one.
  void write_unsynced(std::vector<consensus::PersistRecord> batch) {
    unsynced_.push_back(std::move(batch));
  }

  // A crash of the machine: only the first `kept` unsynced writes reached the disk.
  void lose_unsynced(std::size_t kept) {
    for (std::size_t i = 0; i < kept && i < unsynced_.size(); ++i) apply(unsynced_[i]);
    unsynced_.clear();
  }

  std::size_t unsynced_writes() const { return unsynced_.size(); }

  // Every key with any record, as a replica's store lists them (synced or not), in order.
  std::vector<std::string> keys() const {
    std::vector<std::string> keys;
    for (const auto& [key, record] : records_) keys.push_back(key);
    for (const auto& batch : unsynced_) {
      for (const consensus::PersistRecord& written : batch) keys.push_back(written.key);
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
  }

  std::uint64_t change_index() const override {
    std::uint64_t last = change_index_;
    for (const auto& batch : unsynced_) {
      for (const consensus::PersistRecord& written : batch) {
        if (written.applied) last = std::max(last, written.change_index);
      }
    }
    return last;
  }

 private:
  // As the store keeps them: an acceptor record alone is kept apart, until an applied
  // state written with it supersedes it.
  static void apply(consensus::KeyRecord& stored, const consensus::PersistRecord& record) {
    if (record.acceptor) stored.acceptor = *record.acceptor;
    if (record.applied) {
      stored.applied = *record.applied;
      stored.change_index = record.change_index;
      stored.acceptor_apart = record.acceptor && record.acceptor->accepted.has_value();
    } else if (record.acceptor) {
      stored.acceptor_apart = true;
    }
  }

  void apply(const std::vector<consensus::PersistRecord>& batch) {
    for (const consensus::PersistRecord& record : batch) {
      apply(records_[record.key], record);
      if (record.applied) change_index_ = std::max(change_index_, record.change_index);
    }
  }

  std::map<std::string, consensus::KeyRecord> records_;
  std::vector<std::vector<consensus::PersistRecord>> unsynced_;
  std::uint64_t change_index_ = 0;
};

}  // namespace paxoskv::sim

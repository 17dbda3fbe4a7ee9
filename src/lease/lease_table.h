// The leases a replica applied, in memory, with the keys attached to each: rebuilt from
// the store at start and kept up to date as states are applied, so that the expiry duty,
// keepalives and lease info cost no I/O. Runs on the replica's thread only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "consensus/configuration.h"
#include "consensus/lease.h"
#include "consensus/records.h"

namespace paxoskv::lease {

struct LeaseEntry {
  // The lease key's applied state; nullopt while only keys attached to it were applied
  // here (the grant comes later).
  std::optional<consensus::LeaseRecord> record;
  consensus::Version version = 0;  // of the lease key
  // The keys attached, with the version that attached them: a delete conditional on that
  // version leaves a key written since alone.
  std::map<std::string, consensus::Version> keys;
};

class LeaseTable {
 public:
  // The applied state of `key` (any key): a lease key's record, or a client key's
  // attachment (`lease`, 0: none; a deleted key is attached to nothing).
  void apply(const std::string& key, const consensus::KeyValue& value, consensus::Version version,
             consensus::LeaseId lease);

  const LeaseEntry* find(consensus::LeaseId id) const;
  const std::map<consensus::LeaseId, LeaseEntry>& entries() const { return entries_; }
  // Forgets terminal leases without keys (the store keeps them; a lookup then reads it).
  void drop_finished();

 private:
  void detach(const std::string& key);

  std::map<consensus::LeaseId, LeaseEntry> entries_;
  std::unordered_map<std::string, consensus::LeaseId> lease_of_key_;
};

}  // namespace paxoskv::lease

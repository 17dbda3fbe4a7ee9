// Vocabulary of the kvstore: what a replica's store is, holds and answers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/records.h"
#include "consensus/types.h"
#include "kvstore/latency_histogram.h"

namespace paxoskv::kvstore {

// Which replica of which cluster a data dir belongs to. Checked at every open so that a
// dir is never served by the wrong replica (its promises would be someone else's). Of the
// fingerprint only the cluster name counts (consensus/cluster_name.h): the one stored at
// creation stays, and the member ids it lists may differ from today's.
struct StoreIdentity {
  consensus::NodeId replica_id = 0;
  std::string cluster_fingerprint;

  friend bool operator==(const StoreIdentity&, const StoreIdentity&) = default;
};

// A key's applied state as stored: the core's AppliedRecord plus the change index the
// store assigned to the key's latest change.
struct AppliedState {
  consensus::Version version = 0;
  consensus::KeyValue value;  // nullopt with version > 0: deleted (keeps its version)
  consensus::WriterMarks writers;
  std::uint64_t change_index = 0;
  std::uint64_t lease = 0;  // see consensus::AppliedRecord::lease

  bool present() const { return value.has_value(); }
  consensus::AppliedRecord record() const { return {version, value, writers, lease}; }

  friend bool operator==(const AppliedState&, const AppliedState&) = default;
};

// What an applied-state record holds.
struct StoredState {
  AppliedState applied;
  consensus::AcceptorRecord acceptor;  // never with an accepted proposal

  friend bool operator==(const StoredState&, const StoredState&) = default;
};

struct ListItem {
  std::string key;
  std::string value;
  consensus::Version version = 0;
  std::uint64_t change_index = 0;
  std::uint64_t lease = 0;  // the lease the key is attached to, 0 if none
};

struct ListPage {
  std::vector<ListItem> items;
  bool more = false;        // further present keys under the prefix follow the last item
  std::uint64_t index = 0;  // the change index the page was read at
};

// Keys with any record (an acceptor's or an applied state), reserved ones included.
struct HeldKeysPage {
  std::vector<std::string> keys;
  bool more = false;  // further held keys follow the last one
};

struct Change {
  std::string key;
  AppliedState state;  // current state; state.change_index is the change's log position
};

struct ChangesPage {
  std::vector<Change> changes;  // in change index order
  // Where to continue from (pass as after_index). With `more` it is the last change's
  // index; otherwise the store's change index when read, so changes outside the prefix
  // are not scanned again.
  std::uint64_t next_index = 0;
  bool more = false;
};

// How far this replica has pulled a peer's changes by anti-entropy: every change the peer
// had applied up to its change index `index` is applied here too, or a later state of the
// key is. A change index means something only within one epoch of the peer's change log
// (a life of its store: a power loss can take back a tail of it, which later changes then
// number anew), so the cursor names the epoch it counts in; 0: unknown (a cursor written
// by an earlier version).
struct SyncCursor {
  consensus::NodeId peer = 0;
  std::uint64_t index = 0;
  std::uint64_t epoch = 0;

  friend bool operator==(const SyncCursor&, const SyncCursor&) = default;
};

// Cost of durable writes, for metrics. Cumulative since the store was opened.
struct WriteCounters {
  std::uint64_t batches = 0;          // WriteBatches written
  std::uint64_t synced_batches = 0;   // of which synced
  std::uint64_t records = 0;          // PersistRecords in them
  std::uint64_t applied_records = 0;  // of which changed applied state
  std::uint64_t bytes = 0;            // WriteBatch payload bytes
  std::uint64_t sync_micros = 0;      // total time spent in writes
  std::uint64_t failures = 0;         // writes that failed (the store then refuses writes)
  LatencyCounts sync_latency;         // of the synced writes, each timed whole
};

}  // namespace paxoskv::kvstore

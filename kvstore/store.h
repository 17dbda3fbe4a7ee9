// The LevelDB-backed store of one replica: what its consensus core persists (acceptor
// records and applied state, per key) plus a change log that orders the replica's applied
// changes by a change index, for anti-entropy and prefix long polls.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/records.h"
#include "kvstore/types.h"

namespace leveldb {
class DB;
class Env;
class WriteBatch;
class FilterPolicy;
class Cache;
class Status;
}  // namespace leveldb

namespace paxoskv::kvstore {

class SyncedLogSwitchEnv;

struct StoreOptions {
  // LevelDB environment; nullptr for the default. Lets tests inject I/O faults. Must
  // outlive the Store.
  leveldb::Env* env = nullptr;
  // LevelDB's memtable size (it starts a new log file when the memtable is full); 0 for
  // the store's default. Tests set a small one to switch log files often.
  std::size_t write_buffer_bytes = 0;
};

// Thread-safety: write() must be called from a single thread; every other member may be
// called concurrently with it and with each other.
//
// Errors: opening a foreign, corrupt or locked data dir, a failed write, and a
// stored record that does not decode all throw std::runtime_error. Nothing is repaired
// silently. After a failed write every further write() throws: the replica must stop
// rather than acknowledge data that may not be durable.
class Store final : public consensus::StateReader {
 public:
  // Opens (creating it and its parents if missing) the store in `data_dir`. A new store
  // records `identity`; an existing one must have been created with the same identity.
  Store(const std::string& data_dir, const StoreIdentity& identity,
        const StoreOptions& options = {});
  ~Store() override;

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The persisted record of `key`, or a default one if the key has none.
  consensus::KeyRecord load(std::string_view key) const override;
  std::uint64_t change_index() const override { return index(); }

  // Writes `records` as one atomic batch, in order (later records of a key win), synced
  // unless `sync` is false. Writes reach the disk in order: a synced write makes every
  // earlier one durable too, so a power loss drops at most a suffix of unsynced writes
  // (LevelDB alone does not promise that across its log files: see
  // SyncedLogSwitchEnv). Applied parts come numbered (see consensus::PersistRecord)
  // with the next change indexes, in order, else std::logic_error. `cursors` go in the
  // same batch, after the records. Returns the new change index.
  std::uint64_t write(const std::vector<consensus::PersistRecord>& records, bool sync = true,
                      const std::vector<SyncCursor>& cursors = {});

  // After a failed write: whether it failed only for lack of space (ENOSPC) with no sync
  // ever failed. Then nothing written before may have been dropped from the page cache,
  // and a restart once space is freed is safe; after any other failure what the disk
  // holds is unknown.
  bool failed_for_lack_of_space() const { return out_of_space_.load(); }

  // The anti-entropy cursors last written, one per peer that has one.
  std::vector<SyncCursor> sync_cursors() const;

  // A replica must never vote again under its id once its acceptor state is lost, so a
  // store created here (an empty or missing data dir) starts with its founding check
  // pending: the replica asks its peers whether they know its id as having served, and
  // passes the check (see pass_founding_check) only if none does. The check stays
  // pending across restarts until passed; a store of an earlier version has passed it.
  bool founding_check_pending() const {
    return founding_check_pending_.load(std::memory_order_acquire);
  }
  // Records (synced) that the founding check passed.
  void pass_founding_check();

  // Peers this replica received protocol messages from, in id order (see remember_peer).
  std::vector<consensus::NodeId> known_peers() const;
  // Records (synced) that `peer` has served: it sent this replica protocol messages. Call
  // it before acting on the first one. May be called from any thread, also while write()
  // runs on another.
  void remember_peer(consensus::NodeId peer);

  // How many times this store was opened, this time included: grows at every open (the
  // count is synced before the constructor returns).
  std::uint64_t incarnation() const { return incarnation_; }

  // The persisted count of applied changes (all keys).
  std::uint64_t index() const { return index_.load(std::memory_order_acquire); }

  // The key's applied state, or nullopt if the key was never applied here. A deleted key
  // has a state with version > 0 and no value.
  std::optional<AppliedState> applied(std::string_view key) const;

  // Present keys starting with `prefix` and greater than `after`, in key order, at most
  // `limit` of them. Never a reserved key (consensus::is_reserved_key).
  ListPage list(std::string_view prefix, std::string_view after, std::size_t limit) const;
  // The same for the reserved keys only (the node's own: tokens).
  ListPage list_reserved(std::string_view prefix, std::string_view after, std::size_t limit) const;

  // Keys this store holds any record of (an acceptor's promise or acceptance, or an
  // applied state, deleted or not; reserved keys too) greater than `after`, in key order,
  // at most `limit` of them: what a membership change must carry over.
  HeldKeysPage held_keys(std::string_view after, std::size_t limit) const;

  // Keys (starting with `prefix`) whose latest change index is > `after_index`, in index
  // order, with their current state, at most `limit` of them. Deleted keys are included.
  ChangesPage changes_after(std::uint64_t after_index, std::size_t limit,
                            std::string_view prefix = {}) const;

  // Every applied state (reserved keys and deleted keys too) as of one LevelDB snapshot,
  // taken when the scan is made, read page by page: a consistent copy that never holds the
  // whole store in memory (GET /v1/snapshot). The scan must not outlive the Store.
  class AppliedScan {
   public:
    virtual ~AppliedScan() = default;
    // The next states in key order, at most `limit`; empty once all were read.
    virtual std::vector<std::pair<std::string, AppliedState>> next(std::size_t limit) = 0;
    // The store's change index in the snapshot.
    virtual std::uint64_t index() const = 0;
  };
  std::unique_ptr<AppliedScan> scan_applied() const;

  WriteCounters counters() const;

  const std::string& data_dir() const { return data_dir_; }

 private:
  struct AtomicWriteCounters {
    std::atomic<std::uint64_t> batches{0};
    std::atomic<std::uint64_t> synced_batches{0};
    std::atomic<std::uint64_t> records{0};
    std::atomic<std::uint64_t> applied_records{0};
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> sync_micros{0};
    std::atomic<std::uint64_t> failures{0};
    LatencyHistogram sync_latency;
  };

  void open(const StoreOptions& options);
  // list() or list_reserved(), as `reserved` says.
  ListPage list_applied(std::string_view prefix, std::string_view after, std::size_t limit,
                        bool reserved) const;
  [[noreturn]] void fail_write(const leveldb::Status& status, const std::string& what);
  void initialize_or_verify(const StoreIdentity& identity);
  void verify_change_log_tail() const;
  void begin_incarnation();
  bool has_any_record() const;
  // Calls visit(peer, db key, value) for each record under `prefix` (keys naming a peer,
  // read with peer_of); a key that names none is corruption (`what` names the record).
  template <typename PeerOf, typename Visit>
  void for_each_peer_record(char prefix, PeerOf peer_of, std::string_view what, Visit visit) const;
  // Writes `batch` synced; a failure stops every later write, as in write().
  void write_synced(leveldb::WriteBatch& batch, std::string_view what);

  std::string data_dir_;
  // Declared before db_: LevelDB writes through it until the DB is closed.
  std::unique_ptr<SyncedLogSwitchEnv> env_;
  // Declared before db_: LevelDB uses it until the DB is closed.
  std::unique_ptr<const leveldb::FilterPolicy> filter_policy_;
  std::unique_ptr<leveldb::Cache> block_cache_;
  std::unique_ptr<leveldb::DB> db_;
  std::atomic<std::uint64_t> index_{0};
  std::uint64_t incarnation_ = 0;
  std::atomic<bool> founding_check_pending_{false};
  // Held from the failure check through LevelDB's write: a write queued in LevelDB behind
  // one that failed would append after its torn record, and be dropped with it when the
  // log is read again.
  std::mutex write_mutex_;
  std::atomic<bool> write_failed_{false};
  std::atomic<bool> out_of_space_{false};
  AtomicWriteCounters counters_;
};

}  // namespace paxoskv::kvstore

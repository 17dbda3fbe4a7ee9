// A LevelDB environment that makes every write-ahead log file durable before LevelDB moves
// on to the next one, so that the store's writes reach the disk in order.
//
// Why: when its memtable is full, LevelDB starts a new log file and closes the old one
// without syncing it. A later synced write syncs only the new log. Until the old memtable
// is flushed to a table, a power loss then drops the old log's unsynced tail but keeps the
// newer synced writes: not a suffix of the writes but a hole in the middle, e.g. an
// unsynced apply that deleted an accepted proposal lost while a later acceptance of the
// same key survives. Syncing the old log at the switch restores the order: a synced write
// makes every earlier write durable, in whichever log file it is.
#pragma once

#include <leveldb/env.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace paxoskv::kvstore {

class SyncedLogSwitchEnv final : public leveldb::EnvWrapper {
 public:
  // `base` must outlive this environment.
  explicit SyncedLogSwitchEnv(leveldb::Env* base) : leveldb::EnvWrapper(base) {}

  // A new log file is created only once every open log file with unsynced appends is
  // synced, and its directory entry is synced too (LevelDB syncs the directory for its
  // manifests only). A failure fails the creation: LevelDB then fails the write that
  // needed the new log, and the store refuses every later write.
  leveldb::Status NewWritableFile(const std::string& name, leveldb::WritableFile** result) override;

  // Whether a sync of a log file or of its directory ever failed. If none did, a failed
  // append (a full disk) left nothing in doubt: what was written before is in the page
  // cache, and LevelDB drops a torn last record when it reads the log again.
  bool sync_failed() const { return sync_failed_.load(); }

 private:
  class LogFile;

  leveldb::Status sync_open_logs();
  void opened(LogFile* log);
  void closed(LogFile* log);

  void note_sync_failure() { sync_failed_.store(true); }

  std::atomic<bool> sync_failed_{false};
  std::mutex mutex_;
  std::vector<LogFile*> open_logs_;  // registered by each LogFile for its lifetime
};

}  // namespace paxoskv::kvstore

// A LevelDB environment that simulates a power loss: it tracks, per file it wrote, how
// many bytes were synced, and after power_off() and the store's close it cuts every such
// file back to what a machine would find on its disk when the power comes back.
//
// Model: a file's bytes are durable up to its length at its last sync; a file never synced
// does not survive; a rename carries the file's state to its new name; a removed file is
// gone. Files this environment did not write (from before it was made) count as durable.
//
//   PowerLossEnv env;
//   auto store = std::make_unique<Store>(dir, identity, StoreOptions{&env});
//   ... writes ...
//   env.power_off();             // from now on every write, sync, rename and removal fails
//   store.reset();
//   env.restore_durable_state();  // the disk as found after the power loss; power is back
//
// It can also hold LevelDB's background work (memtable flushes and compactions) until the
// test runs it, so that a power loss lands at a chosen point of the flush cycle. While work
// is held, a write that needs a second memtable flush waits for it: run the held work
// before the memtable fills twice.
#pragma once

#include <leveldb/env.h>

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace paxoskv::kvstore::testing {

class PowerLossEnv : public leveldb::EnvWrapper {
 public:
  PowerLossEnv() : leveldb::EnvWrapper(leveldb::Env::Default()) {}
  PowerLossEnv(const PowerLossEnv&) = delete;
  PowerLossEnv& operator=(const PowerLossEnv&) = delete;

  // Background work is queued instead of run, until run_held_background_work().
  void hold_background_work();
  // Runs the queued background work on this thread, and what it schedules in turn.
  void run_held_background_work();

  // Every later write, sync, rename and removal fails and changes nothing. Held background
  // work is let go (it fails too), so that the store can close.
  void power_off();
  bool powered_off() const;

  // Once the store is closed: truncates every file written since the last restore to its
  // synced length and removes those never synced; then the power is back on.
  void restore_durable_state();

  leveldb::Status NewWritableFile(const std::string& name, leveldb::WritableFile** result) override;
  leveldb::Status NewAppendableFile(const std::string& name,
                                    leveldb::WritableFile** result) override;
  leveldb::Status RemoveFile(const std::string& name) override;
  leveldb::Status RenameFile(const std::string& from, const std::string& to) override;
  void Schedule(void (*work)(void* arg), void* arg) override;

 private:
  class TrackedFile;
  struct FileState {
    std::uint64_t written = 0;  // bytes appended
    std::uint64_t durable = 0;  // `written` at the last sync
    bool synced = false;
  };

  leveldb::Status track(const std::string& name, leveldb::Status opened,
                        leveldb::WritableFile* file, std::uint64_t existing_bytes,
                        leveldb::WritableFile** result);
  void appended(const std::string& name, std::uint64_t bytes);
  void synced(const std::string& name);

  mutable std::mutex mutex_;
  std::map<std::string, FileState> files_;
  bool powered_off_ = false;
  bool holding_background_work_ = false;
  std::deque<std::pair<void (*)(void*), void*>> held_work_;
};

}  // namespace paxoskv::kvstore::testing

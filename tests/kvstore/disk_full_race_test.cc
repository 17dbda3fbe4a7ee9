// A write that finds the disk full leaves a torn record at the end of the log. The store
// then refuses every later write, but a write another thread started before the failure
// (the replica writes known peers from its own thread) is already queued in LevelDB, which
// does not stop after a failed append: it appends after the torn record. A restart must
// still find every synced write.
#include <leveldb/env.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "kvstore/store.h"
#include "tests/kvstore/log_file_wrapper.h"
#include "tests/kvstore/temp_dir.h"

namespace paxoskv::kvstore {
namespace {

using consensus::AcceptorRecord;
using consensus::PersistRecord;

// Tears the next log append (half of it is written) and holds it until released, then
// fails it as a full disk does.
class HeldDiskFullEnv final : public leveldb::EnvWrapper {
 public:
  HeldDiskFullEnv() : leveldb::EnvWrapper(leveldb::Env::Default()) {}

  void arm() { armed_.store(true); }
  void wait_until_torn() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return torn_; });
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
  }

  leveldb::Status NewWritableFile(const std::string& name,
                                  leveldb::WritableFile** result) override {
    return testing::open_wrapping_logs(*target(), name, result,
                                       [this](std::unique_ptr<leveldb::WritableFile> file) {
                                         return std::make_unique<LogFile>(*this, std::move(file));
                                       });
  }

 private:
  class LogFile final : public leveldb::WritableFile {
   public:
    LogFile(HeldDiskFullEnv& env, std::unique_ptr<leveldb::WritableFile> file)
        : env_(env), file_(std::move(file)) {}
    leveldb::Status Append(const leveldb::Slice& data) override {
      constexpr std::size_t kLogRecordHeaderBytes = 7;
      if (data.size() <= kLogRecordHeaderBytes || !env_.armed_.exchange(false)) {
        return file_->Append(data);
      }
      file_->Append(leveldb::Slice(data.data(), data.size() / 2));
      file_->Flush();
      {
        std::unique_lock lock(env_.mutex_);
        env_.torn_ = true;
        env_.changed_.notify_all();
        env_.changed_.wait(lock, [this] { return env_.released_; });
      }
      return leveldb::Status::IOError("held torn append", std::strerror(ENOSPC));
    }
    leveldb::Status Close() override { return file_->Close(); }
    leveldb::Status Flush() override { return file_->Flush(); }
    leveldb::Status Sync() override { return file_->Sync(); }

   private:
    HeldDiskFullEnv& env_;
    std::unique_ptr<leveldb::WritableFile> file_;
  };

  std::atomic<bool> armed_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  bool torn_ = false;
  bool released_ = false;
};

PersistRecord promised(std::string key, std::string padding = {}) {
  AcceptorRecord acceptor{consensus::Ballot{1, 1}, std::nullopt, {}, 0};
  PersistRecord record{std::move(key), acceptor, std::nullopt};
  if (!padding.empty()) record.key += padding;
  return record;
}

TEST_CASE("a write queued behind one that found the disk full is not lost at the restart",
          "[kvstore]") {
  testing::TempDir temp;
  const StoreIdentity identity{1, "cluster-fingerprint-a"};
  HeldDiskFullEnv env;
  bool queued_write_ok = false;
  {
    Store store(temp.data_dir(), identity, StoreOptions{&env});
    store.write({promised("before")});

    env.arm();
    std::thread failing([&] {
      // A large record: its torn half is longer than the record appended after it.
      CHECK_THROWS(store.write({promised("full", std::string(16 << 10, 'k'))}));
    });
    env.wait_until_torn();
    // Another thread's synced write, begun before the failure is known.
    std::thread queued([&] {
      try {
        store.remember_peer(7);
        queued_write_ok = true;
      } catch (const std::runtime_error&) {
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // queued in LevelDB
    env.release();
    failing.join();
    queued.join();
    // Classified as safe to restart once space is freed.
    CHECK(store.failed_for_lack_of_space());
  }
  INFO("the write queued behind the failed one " << (queued_write_ok ? "succeeded" : "failed"));
  std::unique_ptr<Store> reopened;
  REQUIRE_NOTHROW(reopened = std::make_unique<Store>(temp.data_dir(), identity));
  CHECK(reopened->load("before").acceptor.promised == consensus::Ballot{1, 1});
  if (queued_write_ok) {
    // It was synced and reported durable: the restart must have it.
    CHECK(reopened->known_peers() == std::vector<consensus::NodeId>{7});
  }
}

}  // namespace
}  // namespace paxoskv::kvstore

// A LevelDB environment that injects one I/O fault into the write-ahead log on demand.
#pragma once

#include <leveldb/env.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "tests/kvstore/log_file_wrapper.h"

namespace paxoskv::kvstore::testing {

enum class LogFault {
  kNone,
  // The next log append of more than a record header writes half its bytes and fails:
  // the torn record a crash in the middle of a write leaves.
  kTornAppend,
  // The next sync fails (the data reached the OS, durability is unknown).
  kFailedSync,
  // As kTornAppend and kFailedSync, failing as a full disk does (ENOSPC).
  kTornAppendDiskFull,
  kFailedSyncDiskFull,
};

class FaultInjectingEnv : public leveldb::EnvWrapper {
 public:
  FaultInjectingEnv() : leveldb::EnvWrapper(leveldb::Env::Default()) {}

  // `fault` strikes the next log append (or sync) after `skipped` appends went through.
  void arm(LogFault fault, int skipped = 0) {
    skip_.store(skipped);
    fault_.store(fault);
  }
  bool fired() const { return fault_.load() == LogFault::kNone; }

  leveldb::Status NewWritableFile(const std::string& name,
                                  leveldb::WritableFile** result) override {
    return open_wrapping_logs(
        *target(), name, result, [this](std::unique_ptr<leveldb::WritableFile> file) {
          return std::make_unique<FaultyLogFile>(std::move(file), fault_, skip_);
        });
  }

 private:
  class FaultyLogFile : public leveldb::WritableFile {
   public:
    FaultyLogFile(std::unique_ptr<leveldb::WritableFile> file, std::atomic<LogFault>& fault,
                  std::atomic<int>& skip)
        : file_(std::move(file)), fault_(fault), skip_(skip) {}

    leveldb::Status Append(const leveldb::Slice& data) override {
      constexpr std::size_t kLogRecordHeaderBytes = 7;
      if (data.size() > kLogRecordHeaderBytes && fault_.load() != LogFault::kNone &&
          skip_.fetch_sub(1) > 0) {
        return file_->Append(data);
      }
      for (const LogFault torn : {LogFault::kTornAppend, LogFault::kTornAppendDiskFull}) {
        if (data.size() > kLogRecordHeaderBytes && fire(torn)) {
          file_->Append(leveldb::Slice(data.data(), data.size() / 2));
          file_->Flush();
          return error("injected torn append", torn == LogFault::kTornAppendDiskFull);
        }
      }
      return file_->Append(data);
    }
    leveldb::Status Close() override { return file_->Close(); }
    leveldb::Status Flush() override { return file_->Flush(); }
    leveldb::Status Sync() override {
      for (const LogFault failed : {LogFault::kFailedSync, LogFault::kFailedSyncDiskFull}) {
        if (skip_.load() <= 0 && fire(failed)) {
          file_->Flush();
          return error("injected sync failure", failed == LogFault::kFailedSyncDiskFull);
        }
      }
      return file_->Sync();
    }

   private:
    static leveldb::Status error(const char* what, bool disk_full) {
      return disk_full ? leveldb::Status::IOError(what, std::strerror(ENOSPC))
                       : leveldb::Status::IOError(what);
    }

    bool fire(LogFault kind) {
      LogFault expected = kind;
      return fault_.compare_exchange_strong(expected, LogFault::kNone);
    }

    std::unique_ptr<leveldb::WritableFile> file_;
    std::atomic<LogFault>& fault_;
    std::atomic<int>& skip_;
  };

  std::atomic<LogFault> fault_{LogFault::kNone};
  std::atomic<int> skip_{0};
};

}  // namespace paxoskv::kvstore::testing

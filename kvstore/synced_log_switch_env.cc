#include "kvstore/synced_log_switch_env.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <utility>

namespace paxoskv::kvstore {

namespace {

bool is_log_file(const std::string& name) {
  return name.ends_with(".log");
}

leveldb::Status sync_directory_of(const std::string& file_name) {
  const std::filesystem::path parent = std::filesystem::path(file_name).parent_path();
  const char* dir = parent.empty() ? "." : parent.c_str();
  const int fd = ::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return leveldb::Status::IOError(dir, std::strerror(errno));
  leveldb::Status status;
  if (::fsync(fd) != 0) status = leveldb::Status::IOError(dir, std::strerror(errno));
  ::close(fd);
  return status;
}

}  // namespace

// A log file that knows whether it holds appends not yet synced.
class SyncedLogSwitchEnv::LogFile final : public leveldb::WritableFile {
 public:
  LogFile(SyncedLogSwitchEnv& env, std::string name, std::unique_ptr<leveldb::WritableFile> file)
      : env_(env), name_(std::move(name)), file_(std::move(file)) {
    env_.opened(this);
  }
  ~LogFile() override { env_.closed(this); }

  leveldb::Status Append(const leveldb::Slice& data) override {
    unsynced_.store(true);
    return file_->Append(data);
  }
  leveldb::Status Flush() override { return file_->Flush(); }
  leveldb::Status Close() override { return file_->Close(); }
  leveldb::Status Sync() override {
    // Cleared first: an append racing with this sync is not covered by it.
    unsynced_.store(false);
    const leveldb::Status status = file_->Sync();
    if (!status.ok()) {
      unsynced_.store(true);
      env_.note_sync_failure();
    }
    return status;
  }

  // Syncs if anything was appended since the last sync.
  leveldb::Status sync_if_needed() {
    if (!unsynced_.load()) return leveldb::Status::OK();
    const leveldb::Status status = Sync();
    if (status.ok()) {
      spdlog::debug("paxoskv store: synced {} before starting a new log file", name_);
    }
    return status;
  }

 private:
  SyncedLogSwitchEnv& env_;
  std::string name_;
  std::unique_ptr<leveldb::WritableFile> file_;
  std::atomic<bool> unsynced_{false};
};

leveldb::Status SyncedLogSwitchEnv::NewWritableFile(const std::string& name,
                                                    leveldb::WritableFile** result) {
  *result = nullptr;
  if (!is_log_file(name)) return target()->NewWritableFile(name, result);

  if (leveldb::Status status = sync_open_logs(); !status.ok()) return status;
  leveldb::WritableFile* opened = nullptr;
  leveldb::Status status = target()->NewWritableFile(name, &opened);
  std::unique_ptr<leveldb::WritableFile> file(opened);
  if (!status.ok()) return status;
  status = sync_directory_of(name);
  if (!status.ok()) {
    note_sync_failure();
    return status;
  }
  // LevelDB takes ownership through the raw pointer.
  *result = std::make_unique<LogFile>(*this, name, std::move(file)).release();
  return status;
}

leveldb::Status SyncedLogSwitchEnv::sync_open_logs() {
  // LevelDB creates a log file from its writing thread, between two writes, so no append
  // to an open log runs concurrently with this.
  std::lock_guard lock(mutex_);
  for (LogFile* log : open_logs_) {
    if (leveldb::Status status = log->sync_if_needed(); !status.ok()) return status;
  }
  return leveldb::Status::OK();
}

void SyncedLogSwitchEnv::opened(LogFile* log) {
  std::lock_guard lock(mutex_);
  open_logs_.push_back(log);
}

void SyncedLogSwitchEnv::closed(LogFile* log) {
  std::lock_guard lock(mutex_);
  std::erase(open_logs_, log);
}

}  // namespace paxoskv::kvstore

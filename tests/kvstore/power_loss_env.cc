#include "tests/kvstore/power_loss_env.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <system_error>
#include <vector>

namespace paxoskv::kvstore::testing {

namespace {

leveldb::Status power_is_off(const std::string& what) {
  return leveldb::Status::IOError(what, "the power is off");
}

}  // namespace

// Forwards to the real file while the power is on, and reports appends and syncs.
class PowerLossEnv::TrackedFile final : public leveldb::WritableFile {
 public:
  TrackedFile(PowerLossEnv& env, std::string name, std::unique_ptr<leveldb::WritableFile> file)
      : env_(env), name_(std::move(name)), file_(std::move(file)) {}

  leveldb::Status Append(const leveldb::Slice& data) override {
    if (env_.powered_off()) return power_is_off(name_);
    const leveldb::Status status = file_->Append(data);
    if (status.ok()) env_.appended(name_, data.size());
    return status;
  }
  leveldb::Status Flush() override {
    if (env_.powered_off()) return power_is_off(name_);
    return file_->Flush();
  }
  leveldb::Status Close() override {
    if (env_.powered_off()) return power_is_off(name_);
    return file_->Close();
  }
  leveldb::Status Sync() override {
    if (env_.powered_off()) return power_is_off(name_);
    const leveldb::Status status = file_->Sync();
    if (status.ok()) env_.synced(name_);
    return status;
  }

 private:
  PowerLossEnv& env_;
  std::string name_;
  std::unique_ptr<leveldb::WritableFile> file_;
};

void PowerLossEnv::hold_background_work() {
  std::lock_guard lock(mutex_);
  holding_background_work_ = true;
}

void PowerLossEnv::run_held_background_work() {
  for (;;) {
    std::pair<void (*)(void*), void*> work;
    {
      std::lock_guard lock(mutex_);
      if (held_work_.empty()) return;
      work = held_work_.front();
      held_work_.pop_front();
    }
    work.first(work.second);
  }
}

void PowerLossEnv::power_off() {
  std::deque<std::pair<void (*)(void*), void*>> released;
  {
    std::lock_guard lock(mutex_);
    powered_off_ = true;
    holding_background_work_ = false;
    released.swap(held_work_);
  }
  for (const auto& [work, arg] : released) target()->Schedule(work, arg);
}

bool PowerLossEnv::powered_off() const {
  std::lock_guard lock(mutex_);
  return powered_off_;
}

void PowerLossEnv::restore_durable_state() {
  std::lock_guard lock(mutex_);
  for (const auto& [name, state] : files_) {
    std::error_code ignored;
    if (!state.synced) {
      std::filesystem::remove(name, ignored);
    } else if (std::filesystem::file_size(name, ignored) > state.durable) {
      std::filesystem::resize_file(name, state.durable);
    }
  }
  files_.clear();
  powered_off_ = false;
}

leveldb::Status PowerLossEnv::NewWritableFile(const std::string& name,
                                              leveldb::WritableFile** result) {
  *result = nullptr;
  if (powered_off()) return power_is_off(name);
  leveldb::WritableFile* file = nullptr;
  const leveldb::Status status = target()->NewWritableFile(name, &file);
  return track(name, status, file, 0, result);
}

leveldb::Status PowerLossEnv::NewAppendableFile(const std::string& name,
                                                leveldb::WritableFile** result) {
  *result = nullptr;
  if (powered_off()) return power_is_off(name);
  std::uint64_t existing_bytes = 0;
  if (FileExists(name)) {
    if (const leveldb::Status status = GetFileSize(name, &existing_bytes); !status.ok()) {
      return status;
    }
  }
  leveldb::WritableFile* file = nullptr;
  const leveldb::Status status = target()->NewAppendableFile(name, &file);
  return track(name, status, file, existing_bytes, result);
}

leveldb::Status PowerLossEnv::track(const std::string& name, leveldb::Status opened,
                                    leveldb::WritableFile* file, std::uint64_t existing_bytes,
                                    leveldb::WritableFile** result) {
  std::unique_ptr<leveldb::WritableFile> owned(file);
  if (!opened.ok()) return opened;
  {
    std::lock_guard lock(mutex_);
    const auto known = files_.find(name);
    if (known == files_.end()) {
      // A file from before (or a new one): its present bytes are all it has on disk.
      files_[name] = FileState{existing_bytes, existing_bytes, existing_bytes != 0};
    } else {
      known->second.written = existing_bytes;  // truncated by a writable open
      known->second.durable = std::min(known->second.durable, existing_bytes);
    }
  }
  // LevelDB takes ownership through the raw pointer.
  *result = std::make_unique<TrackedFile>(*this, name, std::move(owned)).release();
  return opened;
}

void PowerLossEnv::appended(const std::string& name, std::uint64_t bytes) {
  std::lock_guard lock(mutex_);
  if (const auto known = files_.find(name); known != files_.end()) known->second.written += bytes;
}

void PowerLossEnv::synced(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (const auto known = files_.find(name); known != files_.end()) {
    known->second.durable = known->second.written;
    known->second.synced = true;
  }
}

leveldb::Status PowerLossEnv::RemoveFile(const std::string& name) {
  if (powered_off()) return power_is_off(name);
  const leveldb::Status status = target()->RemoveFile(name);
  if (status.ok()) {
    std::lock_guard lock(mutex_);
    files_.erase(name);
  }
  return status;
}

leveldb::Status PowerLossEnv::RenameFile(const std::string& from, const std::string& to) {
  if (powered_off()) return power_is_off(from);
  const leveldb::Status status = target()->RenameFile(from, to);
  if (status.ok()) {
    std::lock_guard lock(mutex_);
    const auto moved = files_.find(from);
    if (moved == files_.end()) {
      files_.erase(to);  // replaced by a durable file
    } else {
      files_[to] = moved->second;
      files_.erase(moved);
    }
  }
  return status;
}

void PowerLossEnv::Schedule(void (*work)(void* arg), void* arg) {
  {
    std::lock_guard lock(mutex_);
    if (holding_background_work_) {
      held_work_.emplace_back(work, arg);
      return;
    }
  }
  target()->Schedule(work, arg);
}

}  // namespace paxoskv::kvstore::testing

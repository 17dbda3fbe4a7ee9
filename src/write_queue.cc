#include "src/write_queue.h"

#include <boost/asio/post.hpp>
#include <utility>

namespace paxoskv {

WriteQueue::WriteQueue(boost::asio::io_context& io, kvstore::Store& store,
                       std::function<void(std::uint64_t seq)> on_durable,
                       std::function<void(const std::string& what)> on_failure)
    : io_(io),
      store_(store),
      on_durable_(std::move(on_durable)),
      on_failure_(std::move(on_failure)),
      writer_([this] { run(); }) {}

WriteQueue::~WriteQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

std::uint64_t WriteQueue::push(std::vector<consensus::PersistRecord> records, bool sync,
                               std::vector<kvstore::SyncCursor> cursors) {
  std::uint64_t seq = 0;
  {
    std::lock_guard lock(mutex_);
    for (auto& record : records) queued_.push_back(std::move(record));
    queued_cursors_.insert(queued_cursors_.end(), cursors.begin(), cursors.end());
    queued_sync_ = queued_sync_ || sync;
    seq = ++queued_seq_;
  }
  wake_.notify_one();
  return seq;
}

void WriteQueue::drain() {
  std::unique_lock lock(mutex_);
  written_.wait(lock, [this] { return failed_ || durable_seq_ >= queued_seq_; });
}

bool WriteQueue::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}

void WriteQueue::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || durable_seq_ < queued_seq_; });
    if (durable_seq_ >= queued_seq_) return;  // stopping, nothing left
    std::vector<consensus::PersistRecord> batch = std::move(queued_);
    queued_.clear();
    std::vector<kvstore::SyncCursor> cursors = std::move(queued_cursors_);
    queued_cursors_.clear();
    const bool sync = std::exchange(queued_sync_, false);
    const std::uint64_t seq = queued_seq_;
    lock.unlock();
    try {
      store_.write(batch, sync, cursors);  // one batch for all of them
    } catch (const std::exception& error) {
      on_failure_(error.what());
      lock.lock();
      failed_ = true;
      written_.notify_all();
      return;
    }
    lock.lock();
    durable_seq_ = seq;
    written_.notify_all();
    boost::asio::post(io_, [this, seq] { on_durable_(seq); });
  }
}

}  // namespace paxoskv

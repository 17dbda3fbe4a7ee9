// Group commit off the replica's thread: batches handed in while a write is under way are
// written together by the next one (synced if any of them must be), and each is reported
// back, in order, once written. The replica's thread keeps working meanwhile.
#pragma once

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "consensus/records.h"
#include "kvstore/store.h"

namespace paxoskv {

class WriteQueue {
 public:
  // `on_durable(seq)` runs on `io`'s thread once every batch up to `seq` is written (and
  // synced, those that asked for it: see consensus::Ready::sync).
  // `on_failure(what)` runs on the writer thread if a write fails. The writer then stops:
  // that batch and every later one are never reported durable.
  WriteQueue(boost::asio::io_context& io, kvstore::Store& store,
             std::function<void(std::uint64_t seq)> on_durable,
             std::function<void(const std::string& what)> on_failure);
  // Writes what is queued, then stops the writer thread.
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Queues `records` (and `cursors`, written after them); returns the sequence number
  // on_durable will report.
  std::uint64_t push(std::vector<consensus::PersistRecord> records, bool sync,
                     std::vector<kvstore::SyncCursor> cursors = {});
  // Blocks until everything queued so far is durable, or a write failed.
  void drain();
  // Whether a write failed.
  bool failed() const;

 private:
  void run();

  boost::asio::io_context& io_;
  kvstore::Store& store_;
  std::function<void(std::uint64_t)> on_durable_;
  std::function<void(const std::string&)> on_failure_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::vector<consensus::PersistRecord> queued_;
  std::vector<kvstore::SyncCursor> queued_cursors_;
  bool queued_sync_ = false;
  std::uint64_t queued_seq_ = 0;
  std::uint64_t durable_seq_ = 0;
  bool stopping_ = false;
  bool failed_ = false;
  std::thread writer_;
};

}  // namespace paxoskv

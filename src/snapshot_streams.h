// The snapshot streams a node handed out (Node::snapshot), so that it can close them
// before it closes its store.
//
// Why: a stream reads one LevelDB snapshot through an iterator, and LevelDB must not be
// closed while either is alive (it aborts). A stream may outlive its node: the replica
// process stops its node while a client is still downloading a snapshot (the session
// that holds the stream is destroyed only after the node), and an embedder may keep one.
// A closed stream releases the store's snapshot at once and fails every later read.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "kvstore/store.h"
#include "paxoskv/snapshot.h"

namespace paxoskv {

class SnapshotStreams {
 public:
  SnapshotStreams() = default;
  SnapshotStreams(const SnapshotStreams&) = delete;
  SnapshotStreams& operator=(const SnapshotStreams&) = delete;
  ~SnapshotStreams();

  // A stream of the snapshot file read from `scan`. Any thread.
  std::shared_ptr<SnapshotStream> open(std::unique_ptr<kvstore::Store::AppliedScan> scan);

  // Closes every stream still held: each releases its scan (waiting for a read under way on
  // another thread), and its next() throws std::runtime_error from then on. Any thread.
  void close_all();

 private:
  class Stream;

  std::mutex mutex_;
  std::vector<std::weak_ptr<Stream>> streams_;
};

}  // namespace paxoskv

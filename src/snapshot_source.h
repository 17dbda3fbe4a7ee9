// The bytes of a snapshot of a store, produced piece by piece from one consistent scan
// (Store::scan_applied), so that a large store streams without being held in memory.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "kvstore/store.h"
#include "paxoskv/snapshot_format.h"

namespace paxoskv {

class SnapshotSource {
 public:
  explicit SnapshotSource(std::unique_ptr<kvstore::Store::AppliedScan> scan);

  // The next piece of the file (about `bytes` long, more for one large value), or nullopt
  // once the trailer was given. Throws std::runtime_error if the store cannot be read.
  std::optional<std::string> next(std::size_t bytes = 256 * 1024);

 private:
  std::unique_ptr<kvstore::Store::AppliedScan> scan_;
  snapshot::Writer writer_;
  bool started_ = false;
  bool finished_ = false;
};

}  // namespace paxoskv

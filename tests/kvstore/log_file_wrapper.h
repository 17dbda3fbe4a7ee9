// For test environments that intercept LevelDB's write-ahead log: opens a writable file
// through `target` and, when it is a log, hands it to `wrap` to be wrapped.
#pragma once

#include <leveldb/env.h>

#include <memory>
#include <string>

namespace paxoskv::kvstore::testing {

template <typename Wrap>
leveldb::Status open_wrapping_logs(leveldb::Env& target, const std::string& name,
                                   leveldb::WritableFile** result, Wrap wrap) {
  leveldb::WritableFile* opened = nullptr;
  leveldb::Status status = target.NewWritableFile(name, &opened);
  std::unique_ptr<leveldb::WritableFile> file(opened);
  if (status.ok() && name.ends_with(".log")) file = wrap(std::move(file));
  // LevelDB takes ownership through the raw pointer.
  *result = file.release();
  return status;
}

}  // namespace paxoskv::kvstore::testing

// A snapshot of a replica's applied state (Node::snapshot): the bytes of a snapshot file
// (see README, "Snapshot format"), read piece by piece.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "paxoskv/options.h"
#include "paxoskv/result.h"

namespace paxoskv {

class SnapshotStream {
 public:
  virtual ~SnapshotStream() = default;
  // The next piece of the file, or nullopt after the last. Reads the store on the
  // caller's thread (any thread). Throws std::runtime_error if the store cannot be read.
  virtual std::optional<std::string> next() = 0;
};

struct SnapshotResult {
  Result result;
  std::shared_ptr<SnapshotStream> stream;  // when result.ok()
};

struct RestoreSummary {
  std::uint64_t records = 0;   // in the file
  std::uint64_t restored = 0;  // written to the store
};

// Makes the data dir of a member of a new cluster (`paxoskv restore`): verifies the whole
// of the snapshot `file` (checksum, record count), then writes its records into a new
// store in options.data_dir for replica options.id of the cluster options.cluster names
// (its name and ids; addresses do not matter): each key with its version, value and lease,
// a deleted key with its version, numbered in the change log as changes 1..n. Left out:
// the membership configuration (the new cluster's members are its own --cluster) and the
// writer marks (see README, "Backup and restore"). The store is built beside the data dir
// and renamed into place at the end, so the data dir appears whole or not at all; the
// new store's founding check is pending, as any new store's. Throws
// snapshot::FormatError for a damaged or truncated file (nothing written),
// std::runtime_error if the data dir exists and is not empty, or on I/O errors.
RestoreSummary restore_snapshot(const std::string& file, const Options& options);

}  // namespace paxoskv

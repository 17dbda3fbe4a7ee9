#include "src/snapshot_source.h"

#include <utility>

namespace paxoskv {

namespace {

constexpr std::size_t kStatesPerRead = 256;

}  // namespace

SnapshotSource::SnapshotSource(std::unique_ptr<kvstore::Store::AppliedScan> scan)
    : scan_(std::move(scan)) {}

std::optional<std::string> SnapshotSource::next(std::size_t bytes) {
  if (finished_) return std::nullopt;
  std::string piece;
  if (!started_) {
    piece = writer_.header();
    started_ = true;
  }
  while (piece.size() < bytes) {
    auto states = scan_->next(kStatesPerRead);
    if (states.empty()) {
      piece += writer_.trailer();
      finished_ = true;
      break;
    }
    for (auto& [key, state] : states) {
      // Writer marks are left out: they count one cluster's writes (see README).
      piece += writer_.record(
          snapshot::Record{std::move(key), state.version, state.lease, std::move(state.value)});
    }
  }
  return piece;
}

}  // namespace paxoskv

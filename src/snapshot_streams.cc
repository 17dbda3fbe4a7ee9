#include "src/snapshot_streams.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "src/snapshot_source.h"

namespace paxoskv {

class SnapshotStreams::Stream final : public SnapshotStream {
 public:
  explicit Stream(std::unique_ptr<kvstore::Store::AppliedScan> scan)
      : source_(std::in_place, std::move(scan)) {}

  std::optional<std::string> next() override {
    std::lock_guard lock(mutex_);
    if (!source_) throw std::runtime_error("the replica stopped: its snapshot was cut short");
    return source_->next();
  }

  void close() {
    std::lock_guard lock(mutex_);
    source_.reset();
  }

 private:
  std::mutex mutex_;
  std::optional<SnapshotSource> source_;
};

SnapshotStreams::~SnapshotStreams() {
  close_all();
}

std::shared_ptr<SnapshotStream> SnapshotStreams::open(
    std::unique_ptr<kvstore::Store::AppliedScan> scan) {
  auto stream = std::make_shared<Stream>(std::move(scan));
  std::lock_guard lock(mutex_);
  std::erase_if(streams_, [](const std::weak_ptr<Stream>& held) { return held.expired(); });
  streams_.push_back(stream);
  return stream;
}

void SnapshotStreams::close_all() {
  std::vector<std::weak_ptr<Stream>> streams;
  {
    std::lock_guard lock(mutex_);
    streams.swap(streams_);
  }
  for (const auto& held : streams) {
    if (const auto stream = held.lock()) stream->close();
  }
}

}  // namespace paxoskv

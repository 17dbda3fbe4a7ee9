// Watches as chains of long polls on the replica's thread.
#include "paxoskv/watch.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "paxoskv/node.h"

namespace paxoskv {

namespace {
// Each long poll of a watch is renewed at least this often.
constexpr std::chrono::milliseconds kPollTimeout{30'000};
}  // namespace

// Shared between the handle and the polls in flight. `mutex` is held while a callback
// runs, so a cancelling destructor waits for it; a destructor called from inside the
// callback (same thread) just marks the watch cancelled.
class WatchHandle::State {
 public:
  explicit State(std::function<void(const Change&)> on_change) : on_change_(std::move(on_change)) {}

  void deliver(const Change& change) {
    std::lock_guard lock(mutex_);
    if (cancelled_) return;
    delivering_thread_ = std::this_thread::get_id();
    on_change_(change);
    delivering_thread_ = std::thread::id{};
  }

  void cancel() {
    if (delivering_thread_ == std::this_thread::get_id()) {
      cancelled_ = true;  // inside the callback: the lock is ours already
      return;
    }
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }

  bool cancelled() {
    if (delivering_thread_ == std::this_thread::get_id()) return cancelled_;
    std::lock_guard lock(mutex_);
    return cancelled_;
  }

 private:
  std::mutex mutex_;
  bool cancelled_ = false;
  std::atomic<std::thread::id> delivering_thread_{};  // read by cancel() from any thread
  std::function<void(const Change&)> on_change_;
};

WatchHandle::WatchHandle(std::shared_ptr<State> state) : state_(std::move(state)) {}
WatchHandle::~WatchHandle() {
  state_->cancel();
}

namespace {

void poll_key(Node& node, std::shared_ptr<WatchHandle::State> state, std::string key,
              std::uint64_t after_version) {
  if (state->cancelled()) return;
  node.wait(key, after_version, kPollTimeout, [&node, state, key, after_version](Result result) {
    std::uint64_t next = after_version;
    if (result.code == Errc::shutting_down) return;
    if ((result.ok() || result.code == Errc::not_found) && result.version > after_version) {
      state->deliver(Change{key, result.value, result.version, 0});
      next = result.version;
    }
    poll_key(node, state, key, next);
  });
}

void poll_prefix(Node& node, std::shared_ptr<WatchHandle::State> state, std::string prefix,
                 std::uint64_t after_index) {
  if (state->cancelled()) return;
  node.wait_prefix(
      prefix, after_index, kPollTimeout,
      [&node, state, prefix, after_index](std::vector<Change> changes, std::uint64_t index) {
        std::uint64_t next = after_index;
        for (const Change& change : changes) {
          if (change.index <= next) continue;  // never twice
          state->deliver(change);
          next = change.index;
        }
        poll_prefix(node, state, prefix, std::max(next, index));
      });
}

}  // namespace

std::unique_ptr<WatchHandle> Node::watch(const std::string& key, std::uint64_t from_version,
                                         std::function<void(const Change&)> on_change) {
  auto state = std::make_shared<WatchHandle::State>(std::move(on_change));
  poll_key(*this, state, key, from_version);
  return std::make_unique<WatchHandle>(state);
}

std::unique_ptr<WatchHandle> Node::watch_prefix(const std::string& prefix, std::uint64_t from_index,
                                                std::function<void(const Change&)> on_change) {
  auto state = std::make_shared<WatchHandle::State>(std::move(on_change));
  poll_prefix(*this, state, prefix, from_index);
  return std::make_unique<WatchHandle>(state);
}

}  // namespace paxoskv

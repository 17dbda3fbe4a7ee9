// Watches: a callback for every change a replica applies to a key or under a prefix.
#pragma once

#include <memory>

namespace paxoskv {

// Keeps a watch alive; destroying it cancels the watch. Once the destructor returns the
// callback is not running and never runs again (it may be destroyed from inside the
// callback itself).
class WatchHandle {
 public:
  class State;
  explicit WatchHandle(std::shared_ptr<State> state);
  ~WatchHandle();
  WatchHandle(const WatchHandle&) = delete;
  WatchHandle& operator=(const WatchHandle&) = delete;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace paxoskv

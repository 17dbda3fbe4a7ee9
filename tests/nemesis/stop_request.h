// SIGINT and SIGTERM turned into a request the runner polls, so that it can unwind, heal
// and remove its namespaces and mounts instead of dying with them in place.
#pragma once

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace paxoskv::nemesis {

struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

class StopRequest {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread (and every thread it starts later) and
  // waits for them in a thread of its own. Construct it first thing in main().
  StopRequest();
  ~StopRequest() = default;
  StopRequest(const StopRequest&) = delete;
  StopRequest& operator=(const StopRequest&) = delete;

  bool requested() const { return requested_.load(); }
  // Throws Interrupted once a stop was requested.
  void check() const {
    if (requested()) throw Interrupted();
  }
  // Sleeps until `until`, waking every 50 ms to check().
  void sleep_until(std::chrono::steady_clock::time_point until) const;
  void sleep_for(std::chrono::steady_clock::duration duration) const {
    sleep_until(std::chrono::steady_clock::now() + duration);
  }

 private:
  std::atomic<bool> requested_{false};
  std::jthread watcher_;
};

}  // namespace paxoskv::nemesis

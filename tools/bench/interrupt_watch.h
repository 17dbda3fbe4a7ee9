// Ctrl-C (SIGINT) and SIGTERM as a condition the run polls rather than an asynchronous
// handler: the signals are blocked in every thread and collected with sigtimedwait by
// the thread that watches the run, so that an interrupted run still prints what it
// measured, with no global flag.
#pragma once

#include <signal.h>

#include <chrono>

namespace paxoskv::bench {

class InterruptWatch {
 public:
  // Blocks the signals in this thread and in every thread started after it: construct
  // it before any other thread.
  InterruptWatch();
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  // Waits up to `timeout` for a signal; true once one has come (and from then on).
  bool wait(std::chrono::milliseconds timeout);
  bool interrupted() const { return interrupted_; }

 private:
  sigset_t signals_;
  sigset_t previous_;
  bool interrupted_ = false;
};

}  // namespace paxoskv::bench

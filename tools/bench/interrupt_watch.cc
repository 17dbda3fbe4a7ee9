#include "interrupt_watch.h"

#include <pthread.h>

#include <cerrno>
#include <ctime>
#include <thread>

namespace paxoskv::bench {

InterruptWatch::InterruptWatch() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
}

InterruptWatch::~InterruptWatch() {
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

bool InterruptWatch::wait(std::chrono::milliseconds timeout) {
  if (interrupted_) {
    std::this_thread::sleep_for(timeout);
    return true;
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const timespec limit{static_cast<std::time_t>(seconds.count()),
                       static_cast<long>(std::chrono::nanoseconds(timeout - seconds).count())};
  if (sigtimedwait(&signals_, nullptr, &limit) > 0) interrupted_ = true;
  return interrupted_;
}

}  // namespace paxoskv::bench

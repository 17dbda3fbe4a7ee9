#include "tests/nemesis/stop_request.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <iostream>

namespace paxoskv::nemesis {

namespace {

sigset_t stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

}  // namespace

StopRequest::StopRequest() {
  const sigset_t signals = stop_signals();
  ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  watcher_ = std::jthread([this, signals](std::stop_token stop) {
    const timespec poll{0, 200'000'000};
    while (!stop.stop_requested()) {
      if (::sigtimedwait(&signals, nullptr, &poll) > 0) {
        if (!requested_.exchange(true)) {
          std::cout << "stop requested: healing and cleaning up" << std::endl;
        }
      }
    }
  });
}

void StopRequest::sleep_until(std::chrono::steady_clock::time_point until) const {
  while (true) {
    check();
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(until - now, std::chrono::milliseconds(50)));
  }
}

}  // namespace paxoskv::nemesis

// Polling for a condition that should become true soon, e.g. a lagging replica catching up.
#pragma once

#include <chrono>
#include <optional>
#include <thread>

namespace paxoskv::e2e {

// Calls `probe` until it returns true or `limit` has passed (probing at least once); how
// long it took, or nullopt if it never did.
template <typename Probe>
std::optional<std::chrono::milliseconds> eventually(
    std::chrono::milliseconds limit, Probe probe,
    std::chrono::milliseconds pause = std::chrono::milliseconds(20)) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  while (true) {
    if (probe()) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    }
    if (Clock::now() - started > limit) return std::nullopt;
    std::this_thread::sleep_for(pause);
  }
}

}  // namespace paxoskv::e2e

// What the transport tests share: running the io loop until something holds, loopback
// addresses, and limits that make reconnecting quick.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "src/transport/transport.h"

namespace paxoskv {

// Runs the io_context until `done` holds; false if it does not within `timeout`.
template <typename Predicate>
bool run_until(boost::asio::io_context& io, Predicate done,
               std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(2));
  }
  return true;
}

inline std::string local_address(std::uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

inline TransportLimits test_limits() {
  using std::chrono::milliseconds;
  TransportLimits limits;
  limits.reconnect_min = milliseconds(10);
  limits.reconnect_max = milliseconds(100);
  limits.hello_timeout = milliseconds(500);
  return limits;
}

}  // namespace paxoskv

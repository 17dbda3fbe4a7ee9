// Raw bytes to a TCP port and whatever comes back: for input no proper client would send.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace paxoskv::e2e {

struct RawReply {
  bool connected = false;
  std::string received;         // everything the server sent before closing or the timeout
  bool closed_by_peer = false;  // the server closed (or reset) the connection
};

// Connects to 127.0.0.1:port, sends `bytes` (stopping quietly if the server closes first),
// then reads until the server closes or `timeout` has passed since the connect.
RawReply raw_exchange(std::uint16_t port, std::string_view bytes,
                      std::chrono::milliseconds timeout = std::chrono::seconds(3));

}  // namespace paxoskv::e2e

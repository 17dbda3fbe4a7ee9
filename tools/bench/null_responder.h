// A trivial HTTP/1.1 server for --self-test: it answers every request at once with the
// same small 200, on its own thread, so a run against it measures the client's own
// ceiling.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <thread>

namespace paxoskv::bench {

class NullResponder {
 public:
  // Listens on 127.0.0.1 at a port the system picks.
  NullResponder();
  ~NullResponder();
  NullResponder(const NullResponder&) = delete;
  NullResponder& operator=(const NullResponder&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_;
  std::jthread thread_;
};

}  // namespace paxoskv::bench

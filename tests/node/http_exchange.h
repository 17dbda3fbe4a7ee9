// Plain HTTP/1.1 exchanges with a listener on 127.0.0.1, for the node tests that serve
// the API from an HttpListener.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>
#include <string>

namespace paxoskv::node_test {

// One request on a fresh connection that the server closes after answering.
inline std::string exchange(std::uint16_t port, const std::string& request) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string response;
  boost::system::error_code error;
  boost::asio::read(socket, boost::asio::dynamic_buffer(response), error);
  return response;
}

// The listener's open client connections, from its own /metrics (which counts the
// connection that asks).
inline int open_connections(std::uint16_t port) {
  const std::string metrics =
      exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string name = "\npaxoskv_http_open_connections ";
  const auto at = metrics.find(name);
  return at == std::string::npos ? -1 : std::stoi(metrics.substr(at + name.size()));
}

}  // namespace paxoskv::node_test

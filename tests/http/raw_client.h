// A raw TCP client for the server tests: sends whatever bytes a test wants, reads
// responses with a deadline, notices when the server closes.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace paxoskv::http::testing {

class RawClient {
 public:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  explicit RawClient(std::uint16_t port);

  void send(std::string_view bytes);
  // One response; nullopt when the connection closed or nothing came in time. `head`: the
  // response to a HEAD request (headers only).
  std::optional<Response> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(3),
                                        bool head = false);
  // True when the server closes the connection within `timeout` (anything it still sends
  // is read and dropped).
  bool closed_within(std::chrono::milliseconds timeout);

 private:
  // Runs the client's context until `done` or the timeout; false at the timeout.
  bool run_until(const bool& done, std::chrono::milliseconds timeout);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace paxoskv::http::testing

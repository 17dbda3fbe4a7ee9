// One keep-alive HTTP/1.1 connection to one endpoint, used synchronously.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <optional>

#include "tools/ctl/endpoint.h"

namespace paxoskv::ctl {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// How an exchange ended: a response, or the error and how far it got.
struct ExchangeResult {
  std::optional<HttpResponse> response;
  boost::system::error_code error;
  // No byte of a response arrived: on a reused connection, the server may have closed
  // it while idle, before seeing the request.
  bool nothing_received = true;
};

// Beast's tcp_stream deadlines apply to asynchronous operations only, so each
// operation is started asynchronously and the io_context run until it completes.
class Connection {
 public:
  Connection(boost::asio::io_context& io, Endpoint endpoint);

  // Resolves and connects within `timeout`.
  boost::system::error_code connect(std::chrono::milliseconds timeout);

  // Sends `request` and reads the response, both within `timeout`. The connection
  // stays open if both sides keep it alive.
  ExchangeResult exchange(const HttpRequest& request, std::chrono::milliseconds timeout);

  bool is_open() const { return open_; }
  // Whether an exchange has already completed on this connection.
  bool reused() const { return exchanges_ > 0; }
  const Endpoint& endpoint() const { return endpoint_; }

  void close();

 private:
  boost::asio::io_context& io_;
  Endpoint endpoint_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool open_ = false;
  std::size_t exchanges_ = 0;
};

}  // namespace paxoskv::ctl

// One keep-alive HTTP/1.1 connection to one endpoint, used synchronously; HTTPS to an
// https endpoint.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/client/endpoint.h"
#include "src/tls/stream.h"

namespace paxoskv::http::client {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// A keep-alive request with its Host header, and `body` with its Content-Length when there
// is one (a PUT or POST has one even when empty).
Request make_request(boost::beast::http::verb method, std::string target, const Endpoint& endpoint,
                     std::string body = {});

// How an exchange ended: a response, or the error and how far it got.
struct ExchangeResult {
  std::optional<Response> response;
  boost::system::error_code error;
  // The error came while reading the response (else while sending the request).
  bool failed_reading = false;
  // No byte of a response arrived: on a reused connection, the server may have closed
  // it while idle, before seeing the request.
  bool nothing_received = true;
};

// Beast's tcp_stream deadlines apply to asynchronous operations only, so each
// operation is started asynchronously and the io_context run until it completes.
class Connection {
 public:
  // A response whose body is larger than `body_limit` is an error; nullopt: no limit. An
  // https endpoint needs `tls` (tls::make_client_context); a plain one ignores it.
  Connection(boost::asio::io_context& io, Endpoint endpoint,
             std::optional<std::uint64_t> body_limit = std::nullopt,
             std::shared_ptr<boost::asio::ssl::context> tls = nullptr);

  // Resolves and connects within `timeout`, the TLS handshake included.
  boost::system::error_code connect(std::chrono::milliseconds timeout);

  // Sends `request` and reads the response, both within `timeout`. The connection
  // stays open if both sides keep it alive.
  ExchangeResult exchange(const Request& request, std::chrono::milliseconds timeout);
  // The same for a body that may be too large to hold (GET /v1/snapshot): a 200's body
  // goes to `on_body` piece by piece as it arrives (the response then has an empty body),
  // another status's is read whole into the response. `timeout` bounds each read; an
  // exception thrown by `on_body` closes the connection and propagates.
  ExchangeResult exchange_streamed(const Request& request, std::chrono::milliseconds timeout,
                                   const std::function<void(std::string_view)>& on_body);

  bool is_open() const { return open_; }
  // Whether the server has closed (or reset) this open connection while it sat idle: it
  // never sends anything between responses, so any readable event means the end.
  bool closed_while_idle();
  const Endpoint& endpoint() const { return endpoint_; }

  void close();

 private:
  boost::asio::io_context& io_;
  Endpoint endpoint_;
  std::optional<std::uint64_t> body_limit_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  // Made afresh for each connection: a TLS stream is not used again once it closed.
  std::optional<tls::Stream> stream_;
  boost::beast::flat_buffer buffer_;
  bool open_ = false;
};

}  // namespace paxoskv::http::client

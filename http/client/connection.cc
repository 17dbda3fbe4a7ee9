#include "http/client/connection.h"

#include <poll.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <stdexcept>
#include <utility>

namespace paxoskv::http::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
using beast::http::verb;
using boost::system::error_code;

namespace {

// Runs the io_context until the operation that `start` launched has completed.
template <typename Start>
error_code run_to_completion(asio::io_context& io, Start start) {
  error_code result;
  start([&result](error_code error, auto&&...) { result = error; });
  io.restart();
  io.run();
  return result;
}

}  // namespace

Request make_request(verb method, std::string target, const Endpoint& endpoint, std::string body) {
  Request request(method, std::move(target), 11);
  request.set(beast::http::field::host, endpoint.text());
  request.keep_alive(true);
  if (method == verb::put || method == verb::post || !body.empty()) {
    request.body() = std::move(body);
    request.prepare_payload();
  }
  return request;
}

Connection::Connection(asio::io_context& io, Endpoint endpoint,
                       std::optional<std::uint64_t> body_limit,
                       std::shared_ptr<asio::ssl::context> tls)
    : io_(io), endpoint_(std::move(endpoint)), body_limit_(body_limit), tls_(std::move(tls)) {
  if (endpoint_.https && !tls_) {
    throw std::invalid_argument("https endpoint " + endpoint_.text() + " without a TLS context");
  }
}

error_code Connection::connect(std::chrono::milliseconds timeout) {
  close();
  asio::ip::tcp::resolver resolver(io_);
  error_code error;
  const auto addresses = resolver.resolve(endpoint_.host, endpoint_.port, error);
  if (error) return error;
  stream_.emplace(io_.get_executor(), endpoint_.https ? tls_ : nullptr);
  stream_->expires_after(timeout);
  error = run_to_completion(
      io_, [&](auto handler) { stream_->tcp().async_connect(addresses, std::move(handler)); });
  if (!error) {
    stream_->socket().set_option(asio::ip::tcp::no_delay(true), error);
    stream_->expect_server_name(endpoint_.host);
    error = run_to_completion(io_, [&](auto handler) {
      stream_->async_handshake(asio::ssl::stream_base::client, std::move(handler));
    });
  }
  if (error) {
    stream_.reset();
    return error;
  }
  open_ = true;
  buffer_.clear();
  return {};
}

ExchangeResult Connection::exchange(const Request& request, std::chrono::milliseconds timeout) {
  ExchangeResult result;
  stream_->expires_after(timeout);
  result.error = run_to_completion(
      io_, [&](auto handler) { beast::http::async_write(*stream_, request, std::move(handler)); });
  if (!result.error) {
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(body_limit_ ? boost::optional<std::uint64_t>(*body_limit_) : boost::none);
    parser.skip(request.method() == verb::head);
    result.error = run_to_completion(io_, [&](auto handler) {
      beast::http::async_read(*stream_, buffer_, parser, std::move(handler));
    });
    result.failed_reading = static_cast<bool>(result.error);
    result.nothing_received = !parser.got_some();
    if (!result.error) result.response = parser.release();
  }
  if (result.error || !result.response->keep_alive()) close();
  return result;
}

ExchangeResult Connection::exchange_streamed(const Request& request,
                                             std::chrono::milliseconds timeout,
                                             const std::function<void(std::string_view)>& on_body) {
  ExchangeResult result;
  stream_->expires_after(timeout);
  result.error = run_to_completion(
      io_, [&](auto handler) { beast::http::async_write(*stream_, request, std::move(handler)); });
  if (result.error) {
    close();
    return result;
  }
  result.failed_reading = true;
  beast::http::response_parser<beast::http::buffer_body> parser;
  parser.body_limit(boost::none);
  stream_->expires_after(timeout);
  result.error = run_to_completion(io_, [&](auto handler) {
    beast::http::async_read_header(*stream_, buffer_, parser, std::move(handler));
  });
  result.nothing_received = !parser.got_some();
  if (result.error) {
    close();
    return result;
  }
  const bool streamed = parser.get().result() == beast::http::status::ok;
  std::string whole;
  std::string piece(256 * 1024, '\0');
  try {
    while (!parser.is_done()) {
      parser.get().body().data = piece.data();
      parser.get().body().size = piece.size();
      stream_->expires_after(timeout);
      result.error = run_to_completion(io_, [&](auto handler) {
        beast::http::async_read(*stream_, buffer_, parser, std::move(handler));
      });
      if (result.error == beast::http::error::need_buffer) result.error = {};
      if (result.error) {
        close();
        return result;
      }
      const std::string_view got(piece.data(), piece.size() - parser.get().body().size);
      if (streamed) {
        if (!got.empty()) on_body(got);
      } else {
        whole.append(got);
      }
    }
  } catch (...) {
    close();
    throw;
  }
  result.failed_reading = false;
  result.response.emplace(parser.get().base());
  result.response->body() = std::move(whole);
  if (!result.response->keep_alive()) close();
  return result;
}

bool Connection::closed_while_idle() {
  if (!open_) return false;
  pollfd descriptor{};
  descriptor.fd = stream_->socket().native_handle();
  descriptor.events = POLLIN | POLLRDHUP;
  return ::poll(&descriptor, 1, 0) != 0;
}

void Connection::close() {
  if (!open_) return;
  // No TLS close_notify: the client does not wait for one, and the server copes.
  error_code ignored;
  stream_->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.reset();
  open_ = false;
}

}  // namespace paxoskv::http::client

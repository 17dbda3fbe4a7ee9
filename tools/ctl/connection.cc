#include "tools/ctl/connection.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <utility>

namespace paxoskv::ctl {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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

Connection::Connection(asio::io_context& io, Endpoint endpoint)
    : io_(io), endpoint_(std::move(endpoint)), stream_(io) {}

error_code Connection::connect(std::chrono::milliseconds timeout) {
  close();
  asio::ip::tcp::resolver resolver(io_);
  error_code error;
  const auto addresses = resolver.resolve(endpoint_.host, endpoint_.port, error);
  if (error) return error;
  stream_.expires_after(timeout);
  error = run_to_completion(
      io_, [&](auto handler) { stream_.async_connect(addresses, std::move(handler)); });
  if (error) {
    stream_.close();
    return error;
  }
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), error);
  open_ = true;
  exchanges_ = 0;
  buffer_.clear();
  return {};
}

ExchangeResult Connection::exchange(const HttpRequest& request, std::chrono::milliseconds timeout) {
  ExchangeResult result;
  stream_.expires_after(timeout);
  result.error = run_to_completion(
      io_, [&](auto handler) { http::async_write(stream_, request, std::move(handler)); });
  if (!result.error) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);  // a listing page may hold many large values
    result.error = run_to_completion(
        io_, [&](auto handler) { http::async_read(stream_, buffer_, parser, std::move(handler)); });
    result.nothing_received = !parser.got_some();
    if (!result.error) result.response = parser.release();
  }
  if (result.error || !result.response->keep_alive()) {
    close();
  } else {
    ++exchanges_;
  }
  return result;
}

void Connection::close() {
  if (!open_) return;
  error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
  open_ = false;
}

}  // namespace paxoskv::ctl

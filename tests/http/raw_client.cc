#include "tests/http/raw_client.h"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <functional>
#include <memory>

namespace paxoskv::http::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
using net::ip::tcp;

RawClient::RawClient(std::uint16_t port) : socket_(io_) {
  socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
}

void RawClient::send(std::string_view bytes) {
  boost::system::error_code ignored;  // a server that closed early is what some tests want
  net::write(socket_, net::buffer(bytes.data(), bytes.size()), ignored);
}

bool RawClient::run_until(const bool& done, std::chrono::milliseconds timeout) {
  io_.restart();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    io_.run_one_until(deadline);
  }
  if (done) return true;
  socket_.cancel();
  io_.restart();
  io_.run();
  return false;
}

std::optional<RawClient::Response> RawClient::read_response(std::chrono::milliseconds timeout,
                                                            bool head) {
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  parser.skip(head);
  bool done = false;
  beast::error_code error;
  beast::http::async_read(socket_, buffer_, parser, [&](beast::error_code result, std::size_t) {
    error = result;
    done = true;
  });
  if (!run_until(done, timeout) || error) return std::nullopt;
  return parser.release();
}

bool RawClient::closed_within(std::chrono::milliseconds timeout) {
  bool closed = false;
  std::array<char, 4096> scratch{};
  std::function<void()> read_more = [&] {
    socket_.async_read_some(net::buffer(scratch), [&](beast::error_code error, std::size_t) {
      if (error) {
        closed = true;
        return;
      }
      read_more();
    });
  };
  buffer_.clear();
  read_more();
  return run_until(closed, timeout);
}

}  // namespace paxoskv::http::testing

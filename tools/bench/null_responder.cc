#include "null_responder.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <string>
#include <string_view>

namespace paxoskv::bench {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// Satisfies every workload of both protocols: a paxoskv put/get/cas, an etcd range with a
// version, an etcd txn that succeeded.
constexpr std::string_view kAnswer =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 64\r\n"
    "\r\n"
    R"({"key":"k","version":1,"kvs":[{"version":"1"}],"succeeded":true})";

static_assert(kAnswer.size() - kAnswer.find("\r\n\r\n") - 4 == 64);

// The Content-Length of a request head, 0 when absent.
std::size_t content_length(std::string_view head) {
  for (std::size_t at = 0; (at = head.find("\r\n", at)) != std::string_view::npos;) {
    at += 2;
    constexpr std::string_view kName = "content-length:";
    if (head.size() - at < kName.size()) break;
    bool same = true;
    for (std::size_t i = 0; i < kName.size() && same; ++i) {
      same = (head[at + i] | 0x20) == kName[i];
    }
    if (!same) continue;
    std::size_t digits = at + kName.size();
    while (digits < head.size() && head[digits] == ' ') ++digits;
    std::size_t length = 0;
    std::from_chars(head.data() + digits, head.data() + head.size(), length);
    return length;
  }
  return 0;
}

asio::awaitable<void> serve(tcp::socket socket) {
  socket.set_option(tcp::no_delay(true));
  std::string buffer;
  for (;;) {
    const auto [read_error, head_size] =
        co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\r\n\r\n", kNoThrow);
    if (read_error) co_return;
    const std::size_t request_size =
        head_size + content_length(std::string_view(buffer).substr(0, head_size));
    if (buffer.size() < request_size) {
      const auto [body_error, body_read] =
          co_await asio::async_read(socket, asio::dynamic_buffer(buffer),
                                    asio::transfer_exactly(request_size - buffer.size()), kNoThrow);
      if (body_error) co_return;
    }
    buffer.erase(0, request_size);
    const auto [write_error, written] =
        co_await asio::async_write(socket, asio::buffer(kAnswer), kNoThrow);
    if (write_error) co_return;
  }
}

asio::awaitable<void> accept_all(tcp::acceptor& acceptor) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(kNoThrow);
    if (error) co_return;  // closed: shutting down
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
  }
}

}  // namespace

NullResponder::NullResponder()
    : io_(1),
      acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      port_(acceptor_.local_endpoint().port()) {
  asio::co_spawn(io_, accept_all(acceptor_), asio::detached);
  thread_ = std::jthread([this] { io_.run(); });
}

NullResponder::~NullResponder() {
  io_.stop();
  thread_.join();
}

}  // namespace paxoskv::bench

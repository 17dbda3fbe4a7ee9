#include "tests/e2e/raw_exchange.h"

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace paxoskv::e2e {

namespace asio = boost::asio;
namespace beast = boost::beast;

RawReply raw_exchange(std::uint16_t port, std::string_view bytes,
                      std::chrono::milliseconds timeout) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(timeout);
  RawReply reply;
  std::array<char, 4096> chunk{};

  // Read until EOF, an error or the deadline, all on the one io_context.
  auto read_on = [&](auto&& self) -> void {
    stream.async_read_some(asio::buffer(chunk), [&, self](beast::error_code error, std::size_t n) {
      reply.received.append(chunk.data(), n);
      if (error) {
        reply.closed_by_peer = error != beast::error::timeout;
        return;
      }
      self(self);
    });
  };
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  stream.async_connect(endpoint, [&](beast::error_code error) {
    if (error) return;
    reply.connected = true;
    // Reading alongside the write: a server that answers and closes early is still heard.
    read_on(read_on);
    asio::async_write(stream, asio::buffer(bytes), [](beast::error_code, std::size_t) {});
  });
  io.run();
  return reply;
}

}  // namespace paxoskv::e2e

// A TCP connection that speaks TLS or plain text, as chosen when it is made: one type for
// the code that speaks HTTP over either (the client listener's sessions, the client
// library, the benchmark), so that code is written once. It is an asynchronous read and
// write stream as Beast's HTTP algorithms want one; deadlines are the TCP layer's.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "src/tls/ssl_stream.h"

namespace paxoskv::tls {

class Stream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using TcpStream = boost::beast::tcp_stream;
  using TlsStream = SslStream<boost::beast::tcp_stream>;

  // An accepted connection; TLS when `context` is not null.
  Stream(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> context);
  // A connection to be made (tcp().async_connect); TLS when `context` is not null.
  Stream(const executor_type& executor, std::shared_ptr<boost::asio::ssl::context> context);

  bool is_tls() const { return std::holds_alternative<TlsStream>(stream_); }
  executor_type get_executor() { return tcp().get_executor(); }
  // The TCP layer: connecting, deadlines, the socket.
  TcpStream& tcp();
  boost::asio::ip::tcp::socket& socket() { return tcp().socket(); }
  template <typename Duration>
  void expires_after(Duration duration) {
    tcp().expires_after(duration);
  }
  void expires_never() { tcp().expires_never(); }
  void cancel() { tcp().cancel(); }

  // Before a client handshake: the server's certificate must name `host` (a DNS name, or
  // an IP address), which is also sent as the TLS server name when it is a name.
  void expect_server_name(const std::string& host);

  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& to) {
          std::visit([&](auto& stream) { stream.async_read_some(to, std::move(handler)); },
                     stream_);
        },
        token, buffers);
  }

  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& from) {
          std::visit([&](auto& stream) { stream.async_write_some(from, std::move(handler)); },
                     stream_);
        },
        token, buffers);
  }

  // The TLS handshake as the accepting (server) or connecting (client) side; plain text
  // has none and completes at once without error.
  template <typename Token>
  auto async_handshake(boost::asio::ssl::stream_base::handshake_type side, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code)>(
        [this, side](auto handler) {
          if (auto* tls = std::get_if<TlsStream>(&stream_)) {
            tls->async_handshake(side, std::move(handler));
          } else {
            complete_now(std::move(handler));
          }
        },
        token);
  }

  // TLS: sends close_notify and waits for the other side's (or its end of the
  // connection), within the TCP layer's deadline. Plain text: completes at once.
  template <typename Token>
  auto async_shutdown(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code)>(
        [this](auto handler) {
          if (auto* tls = std::get_if<TlsStream>(&stream_)) {
            tls->async_shutdown(std::move(handler));
          } else {
            complete_now(std::move(handler));
          }
        },
        token);
  }

 private:
  // What plain text has nothing to do for: the handler runs soon, without error.
  template <typename Handler>
  void complete_now(Handler handler) {
    boost::asio::post(get_executor(), [handler = std::move(handler)]() mutable {
      std::move(handler)(boost::beast::error_code{});
    });
  }

  // Kept alive as long as the connection that was made with it.
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::variant<TcpStream, TlsStream> stream_;
};

}  // namespace paxoskv::tls

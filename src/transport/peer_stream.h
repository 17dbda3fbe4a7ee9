// The byte stream of one peer connection: plain TCP, or TLS over TCP when the transport
// has peer TLS. Connections read, write and close through it alike, so plain and TLS
// connections share one code path; the TCP socket beneath is there for socket options,
// connecting and addresses.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "src/tls/ssl_stream.h"

namespace paxoskv {

class PeerStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  // Hands a batch of frames (many small buffers) to OpenSSL at once: one TLS record, and
  // one system call, for the batch.
  using TlsStream = tls::SslStream<boost::asio::ip::tcp::socket>;
  using HandshakeHandler = std::function<void(const boost::system::error_code&)>;

  // Plain TCP when `tls` is null; else TLS with that context, kept for the stream's life.
  PeerStream(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls);
  PeerStream(const PeerStream&) = delete;
  PeerStream& operator=(const PeerStream&) = delete;

  bool tls() const { return tls_context_ != nullptr; }
  boost::asio::ip::tcp::socket& socket();
  executor_type get_executor() { return socket().get_executor(); }

  // The TLS handshake as `side` (which verifies the other side's certificate as the
  // context says); without TLS, `done` runs at once (posted) with success.
  void async_handshake(boost::asio::ssl::stream_base::handshake_type side, HandshakeHandler done);
  // Why the handshake failed: OpenSSL's reason, and the certificate check's if it failed.
  std::string handshake_failure(const boost::system::error_code& error);

  // As a socket's. Over TLS, a peer that closes without TLS's close notify ends the
  // stream as a plain close does: every frame carries its length, so a cut-off frame is
  // noticed anyway, and nothing is read from a stream after its end.
  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& to) {
          if (auto* tls = std::get_if<TlsStream>(&stream_)) {
            tls->async_read_some(to, [handler = std::move(handler)](boost::system::error_code error,
                                                                    std::size_t bytes) mutable {
              if (error == boost::asio::ssl::error::stream_truncated) {
                error = boost::asio::error::eof;
              }
              std::move(handler)(error, bytes);
            });
          } else {
            std::get<boost::asio::ip::tcp::socket>(stream_).async_read_some(to, std::move(handler));
          }
        },
        token, buffers);
  }

  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& from) {
          std::visit([&](auto& stream) { stream.async_write_some(from, std::move(handler)); },
                     stream_);
        },
        token, buffers);
  }

  // Ends our sending side of the TCP connection (reading goes on).
  void shutdown_send();
  // Closes the TCP connection at once; pending operations complete with an error.
  void close();

 private:
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
  std::variant<boost::asio::ip::tcp::socket, TlsStream> stream_;
};

}  // namespace paxoskv

// One client connection, plain text or TLS: reads requests one after another (pipelined
// ones wait in the buffer and are answered in order), hands each to the Router, writes its
// answer. All of a session's work runs on its own strand; replica callbacks are posted back
// to it.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "http/router.h"
#include "src/tls/stream.h"

namespace paxoskv::http {

class ServerContext;

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `socket` must have a strand of its own as executor. With a `tls` context the
  // connection starts with a TLS handshake and speaks only TLS.
  Session(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls,
          std::shared_ptr<ServerContext> context);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();
  // Thread-safe. Closes the connection now if it waits for a request, else once the
  // request in progress is answered.
  void stop();

 private:
  enum class Phase { handshaking, idle, reading, processing, writing, closing };

  void on_handshake(boost::beast::error_code error);
  void await_request();
  void read_request();
  void on_header(boost::beast::error_code error);
  void read_body();
  void on_body(boost::beast::error_code error);
  void on_read_failed(boost::beast::error_code error);
  void dispatch();
  void send(Response response);
  void on_sent(boost::beast::error_code error);
  // A streamed answer: the head, then each piece of `body` as a chunk, then the last chunk.
  void send_stream(Response head, Router::BodyStream body);
  void write_next_chunk();
  // Answers a request that cannot be read to its end, then closes.
  void refuse(boost::beast::http::status status, std::string_view message);
  // Ends TLS (close_notify), stops sending, then reads and drops what the client still
  // sends for a moment, so that closing does not reset the connection before the client
  // read our answer.
  void close_gracefully();
  void drain();

  tls::Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<ServerContext> context_;
  std::string peer_;  // for logs

  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<boost::beast::http::response<boost::beast::http::empty_body>> continue_;
  std::optional<Response> response_;
  Router::BodyStream body_stream_;
  std::string chunk_;  // the piece being written
  std::optional<boost::beast::http::response_serializer<boost::beast::http::string_body>>
      header_only_;

  Phase phase_ = Phase::handshaking;
  bool stopping_ = false;
  bool keep_alive_ = false;
  bool head_request_ = false;
  unsigned http_version_ = 11;
};

}  // namespace paxoskv::http

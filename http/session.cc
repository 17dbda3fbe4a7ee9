#include "http/session.h"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>

#include "http/responses.h"
#include "http/server_context.h"

namespace paxoskv::http {

namespace beast = boost::beast;
namespace net = boost::asio;

using beast::http::field;
using beast::http::status;
using net::ip::tcp;

namespace {

// On every answer: a browser takes the Content-Type as given and never guesses another
// (a stored value read raw, say, is never run as a page of the console's origin).
constexpr std::string_view no_sniff_field = "X-Content-Type-Options";
constexpr std::string_view no_sniff = "nosniff";

// Bytes read at once while waiting for a request to start.
constexpr std::size_t first_read_bytes = 4 * 1024;
// How long a closing connection drains what its client still sends.
constexpr std::chrono::milliseconds linger_time{1000};

std::string describe_peer(const tcp::socket& socket) {
  beast::error_code error;
  const auto endpoint = socket.remote_endpoint(error);
  if (error) return "unknown peer";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

bool is_http_parse_error(beast::error_code error) {
  return error.category() ==
         beast::http::make_error_code(beast::http::error::bad_target).category();
}

}  // namespace

Session::Session(tcp::socket socket, std::shared_ptr<net::ssl::context> tls,
                 std::shared_ptr<ServerContext> context)
    : stream_(std::move(socket), std::move(tls)),
      context_(std::move(context)),
      peer_(describe_peer(stream_.socket())) {}

Session::~Session() {
  context_->remove(this);
}

void Session::start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (!self->stream_.is_tls()) return self->await_request();
    self->stream_.expires_after(self->context_->limits().tls_handshake_timeout);
    self->stream_.async_handshake(net::ssl::stream_base::server,
                                  [self](beast::error_code error) { self->on_handshake(error); });
  });
}

void Session::stop() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    // Reads in progress end in operation_aborted, which closes the session.
    if (self->phase_ == Phase::idle || self->phase_ == Phase::handshaking) {
      self->stream_.cancel();
    }
  });
}

void Session::on_handshake(beast::error_code error) {
  if (error) {
    phase_ = Phase::closing;
    if (stopping_) return;
    // Plain HTTP to the TLS port, no or a foreign client certificate, a scanner: the
    // connection ends here (a timeout already closed it).
    spdlog::debug("paxoskv http: TLS handshake with {} failed: {}", peer_, error.message());
    context_->metrics().tls_handshake_failed();
    return;  // closed when the last handler lets go of the session
  }
  await_request();
}

void Session::await_request() {
  if (stopping_) return close_gracefully();
  if (buffer_.size() > 0) return read_request();  // pipelined: already here
  // Idle until the first bytes: only then does the (shorter) request deadline start.
  phase_ = Phase::idle;
  stream_.expires_after(context_->limits().idle_timeout);
  stream_.async_read_some(buffer_.prepare(first_read_bytes),
                          [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
                            if (error) {
                              if (error == beast::error::timeout) {
                                spdlog::debug("paxoskv http: closing idle connection from {}",
                                              self->peer_);
                              }
                              self->phase_ = Phase::closing;
                              return;  // closed when the last handler lets go of the session
                            }
                            self->buffer_.commit(bytes);
                            self->read_request();
                          });
}

void Session::read_request() {
  phase_ = Phase::reading;
  const ServerLimits& limits = context_->limits();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser_->body_limit(limits.max_value_bytes);
  stream_.expires_after(limits.request_read_timeout);
  beast::http::async_read_header(stream_, buffer_, *parser_,
                                 [self = shared_from_this()](beast::error_code error, std::size_t) {
                                   self->on_header(error);
                                 });
}

void Session::on_header(beast::error_code error) {
  if (error) return on_read_failed(error);
  if (parser_->is_done()) return dispatch();
  const auto& header = parser_->get();
  if (!beast::iequals(header[field::expect], "100-continue")) return read_body();
  // The client waits for our go before sending the body (curl does for large values).
  continue_.emplace(status::continue_, header.version());
  beast::http::async_write(stream_, *continue_,
                           [self = shared_from_this()](beast::error_code error, std::size_t) {
                             if (error) {
                               self->phase_ = Phase::closing;
                               return;
                             }
                             self->read_body();
                           });
}

void Session::read_body() {
  beast::http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_body(error); });
}

void Session::on_body(beast::error_code error) {
  if (error) return on_read_failed(error);
  dispatch();
}

void Session::on_read_failed(beast::error_code error) {
  namespace errors = beast::http;
  if (error == errors::error::header_limit) {
    spdlog::debug("paxoskv http: request header too large from {}", peer_);
    return refuse(status::request_header_fields_too_large, "request header too large");
  }
  if (error == errors::error::body_limit) {
    spdlog::debug("paxoskv http: request body too large from {}", peer_);
    return refuse(status::payload_too_large,
                  "value too large: at most " + std::to_string(context_->limits().max_value_bytes) +
                      " bytes");
  }
  if (is_http_parse_error(error) && error != errors::error::partial_message &&
      error != errors::error::end_of_stream) {
    spdlog::debug("paxoskv http: malformed request from {}: {}", peer_, error.message());
    return refuse(status::bad_request, "malformed HTTP request: " + error.message());
  }
  // The client went away or was too slow (a timeout already closed the socket).
  if (error == beast::error::timeout) {
    spdlog::debug("paxoskv http: closing connection from {}: request not received in time", peer_);
  }
  phase_ = Phase::closing;
}

void Session::dispatch() {
  phase_ = Phase::processing;
  stream_.expires_never();  // the replica bounds its own time; long polls their timeout
  Request request = parser_->release();
  parser_.reset();
  // A long poll may hold this connection for minutes: keep no read buffer meanwhile.
  if (buffer_.size() == 0) buffer_.shrink_to_fit();
  keep_alive_ = request.keep_alive();
  http_version_ = request.version();
  head_request_ = request.method() == beast::http::verb::head;
  context_->router().handle(
      std::move(request),
      [self = shared_from_this(), executor = stream_.get_executor()](Router::Answer answer) {
        // Possibly on the replica's thread: render and write on the session's strand.
        net::post(executor, [self, answer = std::move(answer)] { self->send(answer()); });
      },
      [self = shared_from_this(), executor = stream_.get_executor()](Response head,
                                                                     Router::BodyStream body) {
        net::post(executor, [self, head = std::move(head), body = std::move(body)]() mutable {
          self->send_stream(std::move(head), std::move(body));
        });
      });
}

void Session::send_stream(Response head, Router::BodyStream body) {
  phase_ = Phase::writing;
  keep_alive_ = keep_alive_ && !stopping_;
  head.version(http_version_);
  head.keep_alive(keep_alive_);
  head.set(field::server, "paxoskv");
  head.set(no_sniff_field, no_sniff);
  head.chunked(true);
  response_ = std::move(head);
  body_stream_ = std::move(body);
  header_only_.emplace(*response_);
  stream_.expires_after(context_->limits().write_timeout);
  beast::http::async_write_header(
      stream_, *header_only_, [self = shared_from_this()](beast::error_code error, std::size_t) {
        if (error || self->head_request_) return self->on_sent(error);
        self->write_next_chunk();
      });
}

void Session::write_next_chunk() {
  std::optional<std::string> piece;
  try {
    piece = body_stream_();
  } catch (const std::exception& error) {
    // The body is cut short without its last chunk: the client sees an incomplete answer.
    spdlog::error("paxoskv http: streamed answer to {} failed: {}", peer_, error.what());
    body_stream_ = nullptr;
    keep_alive_ = false;
    return on_sent(beast::error_code{});
  }
  if (piece && piece->empty()) return write_next_chunk();  // an empty chunk would end it
  stream_.expires_after(context_->limits().write_timeout);
  auto on_written = [self = shared_from_this(), last = !piece](beast::error_code error,
                                                               std::size_t) {
    if (error || last) {
      self->body_stream_ = nullptr;
      self->chunk_.clear();
      return self->on_sent(error);
    }
    self->write_next_chunk();
  };
  if (!piece) {
    net::async_write(stream_, beast::http::make_chunk_last(), std::move(on_written));
    return;
  }
  chunk_ = std::move(*piece);
  net::async_write(stream_,
                   beast::http::make_chunk(net::const_buffer(chunk_.data(), chunk_.size())),
                   std::move(on_written));
}

void Session::send(Response response) {
  phase_ = Phase::writing;
  keep_alive_ = keep_alive_ && !stopping_;
  response.version(http_version_);
  response.keep_alive(keep_alive_);
  response.set(field::server, "paxoskv");
  response.set(no_sniff_field, no_sniff);
  response.prepare_payload();
  response_ = std::move(response);
  stream_.expires_after(context_->limits().write_timeout);
  auto on_sent = [self = shared_from_this()](beast::error_code error, std::size_t) {
    self->on_sent(error);
  };
  if (head_request_) {
    header_only_.emplace(*response_);
    beast::http::async_write_header(stream_, *header_only_, std::move(on_sent));
  } else {
    beast::http::async_write(stream_, *response_, std::move(on_sent));
  }
}

void Session::on_sent(beast::error_code error) {
  header_only_.reset();
  response_.reset();
  if (error) {
    phase_ = Phase::closing;
    return;
  }
  if (!keep_alive_) return close_gracefully();
  await_request();
}

void Session::refuse(status code, std::string_view message) {
  context_->metrics().record_request("malformed_http", static_cast<unsigned>(code),
                                     std::chrono::steady_clock::duration::zero());
  parser_.reset();
  keep_alive_ = false;
  head_request_ = false;
  http_version_ = 11;
  send(error_response(code, message));
}

void Session::close_gracefully() {
  phase_ = Phase::closing;
  buffer_.clear();
  stream_.expires_after(linger_time);  // the TLS shutdown and the drain together
  // A client that answers our close_notify with its own is done; one that goes on
  // sending, or closes without, is drained as in plain text.
  stream_.async_shutdown([self = shared_from_this()](beast::error_code error) {
    if (self->stream_.is_tls() && !error) return;
    beast::error_code ignored;
    self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    self->drain();
  });
}

void Session::drain() {
  // Below TLS: what comes now is dropped unread.
  stream_.tcp().async_read_some(buffer_.prepare(first_read_bytes),
                                [self = shared_from_this()](beast::error_code error, std::size_t) {
                                  if (error) return;  // EOF or linger time over: done
                                  self->drain();
                                });
}

}  // namespace paxoskv::http

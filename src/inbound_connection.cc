#include "src/inbound_connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>

#include "consensus/codec.h"
#include "src/transport_context.h"

namespace paxoskv {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// A receive buffer grown for a large frame is released afterwards rather than kept for
// the life of the connection.
constexpr std::size_t kRetainedBufferBytes = 64 << 10;

std::string endpoint_text(const asio::ip::tcp::socket& socket) {
  error_code error;
  const auto endpoint = socket.remote_endpoint(error);
  if (error) return "unknown address";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

}  // namespace

InboundConnection::InboundConnection(std::shared_ptr<TransportContext> context,
                                     asio::ip::tcp::socket socket, IdentifiedHandler on_identified)
    : context_(std::move(context)),
      socket_(std::move(socket)),
      hello_timer_(context_->io),
      on_identified_(std::move(on_identified)),
      remote_(endpoint_text(socket_)) {}

void InboundConnection::start() {
  hello_timer_.expires_after(context_->limits.hello_timeout);
  hello_timer_.async_wait([self = shared_from_this()](const error_code& error) {
    if (error || self->closed_ || self->peer_) return;
    count(self->context_->counters.bad_hellos);
    self->reject("no hello in time");
  });
  read_header();
}

void InboundConnection::close() {
  if (closed_) return;
  closed_ = true;
  hello_timer_.cancel();
  error_code ignored;
  socket_.close(ignored);
}

void InboundConnection::read_header() {
  asio::async_read(socket_, asio::buffer(header_),
                   [self = shared_from_this()](const error_code& error, std::size_t) {
                     if (self->closed_) return;
                     if (error) {
                       if (error == asio::error::eof) {
                         spdlog::info("node {}: {} closed its connection", self->context_->self,
                                      self->describe());
                       } else {
                         spdlog::warn("node {}: connection from {} failed: {}",
                                      self->context_->self, self->describe(), error.message());
                       }
                       return self->close();
                     }
                     self->read_body(frame_body_length(self->header_));
                   });
}

void InboundConnection::read_body(std::uint32_t length) {
  const std::size_t limit = peer_ ? context_->limits.max_frame_bytes : kMaxHelloBodyBytes;
  if (length > limit) {
    count(peer_ ? context_->counters.oversize_frames : context_->counters.bad_hellos);
    return reject(fmt::format("frame of {} bytes exceeds the limit of {}", length, limit));
  }
  body_.resize(length);
  asio::async_read(socket_, asio::buffer(body_),
                   [self = shared_from_this()](const error_code& error, std::size_t) {
                     if (self->closed_) return;
                     if (error) {
                       spdlog::warn("node {}: connection from {} ended inside a frame: {}",
                                    self->context_->self, self->describe(), error.message());
                       return self->close();
                     }
                     if (self->peer_) {
                       self->on_message_frame();
                     } else {
                       self->on_hello();
                     }
                   });
}

void InboundConnection::on_hello() {
  auto& counters = context_->counters;
  const ParsedHello parsed = parse_hello(body_);
  if (!parsed.hello) {
    count(counters.bad_hellos);
    return reject(parsed.problem);
  }
  const Hello& hello = *parsed.hello;
  if (hello.cluster_fingerprint != context_->cluster_fingerprint) {
    count(counters.bad_hellos);
    return reject(fmt::format("hello from node {} of another cluster", hello.node));
  }
  if (hello.node == context_->self) {
    count(counters.bad_hellos);
    return reject("hello carrying this replica's own id");
  }
  if (!context_->peers.contains(hello.node)) {
    count(counters.bad_hellos);
    return reject(fmt::format("hello from node {}, which is not a peer", hello.node));
  }
  hello_timer_.cancel();
  peer_ = hello.node;
  count(counters.bytes_received, kFrameHeaderBytes + body_.size());
  spdlog::info("node {}: accepted connection from {}", context_->self, describe());
  on_identified_(hello.node, *this);
  if (!closed_) read_header();
}

void InboundConnection::on_message_frame() {
  auto& counters = context_->counters;
  std::optional<consensus::Message> message = consensus::decode(body_);
  if (!message) {
    count(counters.decode_errors);
    return reject(fmt::format("undecodable frame of {} bytes", body_.size()));
  }
  count(counters.frames_received);
  count(counters.bytes_received, kFrameHeaderBytes + body_.size());
  if (body_.capacity() > kRetainedBufferBytes) std::string().swap(body_);
  if (context_->stopped) return close();
  context_->on_message(*peer_, std::move(*message));
  // The handler may have stopped the transport, which closes this connection.
  if (!closed_) read_header();
}

void InboundConnection::reject(std::string_view reason) {
  spdlog::warn("node {}: closing connection from {}: {}", context_->self, describe(), reason);
  close();
}

std::string InboundConnection::describe() const {
  if (peer_) return fmt::format("peer {} ({})", *peer_, remote_);
  return remote_;
}

}  // namespace paxoskv

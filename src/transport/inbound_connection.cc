#include "src/transport/inbound_connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include "src/transport/transport_context.h"
#include "src/transport/wire_codec.h"

namespace paxoskv {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// A receive buffer grown for a large frame is released afterwards rather than kept for
// the life of the connection.
constexpr std::size_t kRetainedBufferBytes = 256 << 10;
// What one read asks for at least.
constexpr std::size_t kReadChunkBytes = 64 << 10;

std::string endpoint_text(asio::ip::tcp::socket& socket) {
  error_code error;
  const auto endpoint = socket.remote_endpoint(error);
  if (error) return "unknown address";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

}  // namespace

InboundConnection::InboundConnection(std::shared_ptr<TransportContext> context,
                                     asio::ip::tcp::socket socket,
                                     std::shared_ptr<asio::ssl::context> tls,
                                     IdentifiedHandler on_identified)
    : context_(std::move(context)),
      stream_(std::move(socket), std::move(tls)),
      hello_timer_(context_->io),
      on_identified_(std::move(on_identified)),
      remote_(endpoint_text(stream_.socket())) {}

void InboundConnection::start() {
  hello_timer_.expires_after(context_->limits.hello_timeout);
  hello_timer_.async_wait([self = shared_from_this()](const error_code& error) {
    if (error || self->closed_ || self->peer_) return;
    if (self->refused_) return self->close();  // the refused sender never closed
    if (!self->handshake_done_) return self->refuse_handshake("timed out");
    count(self->context_->counters.bad_hellos);
    self->reject("no hello in time");
  });
  stream_.async_handshake(
      asio::ssl::stream_base::server,
      [self = shared_from_this()](const error_code& error) { self->on_handshake(error); });
}

void InboundConnection::on_handshake(const error_code& error) {
  if (closed_) return;
  if (error) return refuse_handshake(stream_.handshake_failure(error));
  handshake_done_ = true;
  read_more();
}

void InboundConnection::refuse_handshake(const std::string& reason) {
  count(context_->counters.tls_handshake_failures);
  spdlog::warn("node {}: refusing connection from {}: TLS handshake failed: {}", context_->self,
               remote_, reason);
  close();
}

void InboundConnection::close() {
  if (closed_) return;
  closed_ = true;
  hello_timer_.cancel();
  stream_.close();
}

void InboundConnection::read_more() {
  // Room for a whole chunk, or for the rest of a large frame, after what is pending.
  std::size_t want = kReadChunkBytes;
  if (received_size_ >= kFrameHeaderBytes) {
    FrameHeader header{};
    std::copy_n(received_.data(), kFrameHeaderBytes, header.begin());
    const std::size_t frame_bytes = kFrameHeaderBytes + frame_body_length(header);
    if (frame_bytes > received_size_) want = std::max(want, frame_bytes - received_size_);
  }
  received_.resize(received_size_ + want);
  stream_.async_read_some(asio::buffer(received_.data() + received_size_, want),
                          [self = shared_from_this()](const error_code& error, std::size_t bytes) {
                            if (self->closed_) return;
                            if (error) {
                              if (error == asio::error::eof && self->received_size_ == 0) {
                                spdlog::info("node {}: {} closed its connection",
                                             self->context_->self, self->describe());
                              } else {
                                spdlog::warn("node {}: connection from {} failed: {}",
                                             self->context_->self, self->describe(),
                                             error.message());
                              }
                              return self->close();
                            }
                            self->received_size_ += bytes;
                            if (self->handle_frames()) self->read_more();
                          });
}

bool InboundConnection::handle_frames() {
  std::size_t handled = 0;
  while (received_size_ - handled >= kFrameHeaderBytes) {
    FrameHeader header{};
    std::copy_n(received_.data() + handled, kFrameHeaderBytes, header.begin());
    const std::uint32_t length = frame_body_length(header);
    const std::size_t limit = peer_ ? context_->limits.max_frame_bytes : kMaxHelloBodyBytes;
    if (length > limit) {
      count(peer_ ? context_->counters.oversize_frames : context_->counters.bad_hellos);
      reject(fmt::format("frame of {} bytes exceeds the limit of {}", length, limit));
      return false;
    }
    if (received_size_ - handled < kFrameHeaderBytes + length) break;
    const std::string_view body(received_.data() + handled + kFrameHeaderBytes, length);
    handled += kFrameHeaderBytes + length;
    if (peer_) {
      on_message_frame(body);
    } else {
      on_hello(body);
    }
    // A handler may have stopped the transport, which closes this connection.
    if (closed_ || refused_) return false;
  }
  // Keep only the start of the next frame.
  std::copy(received_.begin() + static_cast<std::ptrdiff_t>(handled),
            received_.begin() + static_cast<std::ptrdiff_t>(received_size_), received_.begin());
  received_size_ -= handled;
  if (received_.capacity() > kRetainedBufferBytes && received_size_ < kRetainedBufferBytes) {
    received_.resize(received_size_);
    received_.shrink_to_fit();
  }
  return true;
}

void InboundConnection::on_hello(std::string_view body) {
  auto& counters = context_->counters;
  const ParsedHello parsed = parse_hello(body);
  if (!parsed.hello) {
    count(counters.bad_hellos);
    return reject(parsed.problem);
  }
  const Hello& hello = *parsed.hello;
  if (consensus::cluster_name_of(hello.cluster_fingerprint) != context_->cluster_name) {
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
  const std::optional<std::uint8_t> version =
      negotiate(context_->limits.protocols, hello.protocols);
  if (!version) {
    count(counters.bad_hellos);
    return refuse_version(hello);
  }
  hello_timer_.cancel();
  peer_ = hello.node;
  protocol_version_ = version;
  count(counters.bytes_received, kFrameHeaderBytes + body.size());
  spdlog::info("node {}: accepted connection from {}", context_->self, describe());
  answer_hello(hello.node);
  on_identified_(hello.node, *this);
}

void InboundConnection::answer_hello(consensus::NodeId peer) {
  const bool knows_sender = context_->knows_peer && context_->knows_peer(peer);
  hello_reply_ =
      hello_reply_frame(HelloReply{knows_sender, protocol_version_, context_->limits.protocols});
  asio::async_write(stream_, asio::buffer(hello_reply_),
                    [self = shared_from_this()](const error_code& error, std::size_t bytes) {
                      if (self->closed_) return;
                      if (error) {
                        spdlog::warn("node {}: cannot answer the hello of {}: {}",
                                     self->context_->self, self->describe(), error.message());
                        return self->close();
                      }
                      count(self->context_->counters.bytes_sent, bytes);
                    });
}

void InboundConnection::refuse_version(const Hello& hello) {
  spdlog::warn(
      "node {}: refusing connection from node {} ({}): no common peer protocol version, this "
      "replica speaks {}, the peer {}",
      context_->self, hello.node, remote_, to_string(context_->limits.protocols),
      to_string(hello.protocols));
  refused_ = true;
  hello_reply_ = hello_reply_frame(HelloReply{false, std::nullopt, context_->limits.protocols});
  asio::async_write(stream_, asio::buffer(hello_reply_),
                    [self = shared_from_this()](const error_code& error, std::size_t bytes) {
                      if (self->closed_) return;
                      if (error) return self->close();
                      count(self->context_->counters.bytes_sent, bytes);
                      // Closing with the sender's frames unread would reset the connection
                      // and could discard the reply before it is read: end our side, and
                      // close once the sender has (or the hello timer fires).
                      self->stream_.shutdown_send();
                      self->discard_until_closed();
                    });
}

void InboundConnection::discard_until_closed() {
  received_.resize(kReadChunkBytes);
  stream_.async_read_some(asio::buffer(received_),
                          [self = shared_from_this()](const error_code& error, std::size_t) {
                            if (self->closed_) return;
                            if (error) return self->close();
                            self->discard_until_closed();
                          });
}

void InboundConnection::on_message_frame(std::string_view body) {
  auto& counters = context_->counters;
  std::optional<PeerMessage> message = wire::decode(body, *protocol_version_);
  if (!message) {
    count(counters.decode_errors);
    return reject(fmt::format("undecodable frame of {} bytes", body.size()));
  }
  count(counters.frames_received);
  count(counters.bytes_received, kFrameHeaderBytes + body.size());
  if (context_->stopped) return close();
  context_->on_message(*peer_, std::move(*message));
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

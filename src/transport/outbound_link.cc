#include "src/transport/outbound_link.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <utility>
#include <vector>

#include "src/transport/peer_socket.h"
#include "src/transport/transport_context.h"
#include "src/transport/wire_codec.h"

namespace paxoskv {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {
// A peer that cannot keep up drops messages in bursts: one warning per interval, with
// the count, instead of one per message.
constexpr std::chrono::seconds kQueueFullReportInterval{10};
}  // namespace

OutboundLink::OutboundLink(std::shared_ptr<TransportContext> context, consensus::NodeId peer,
                           HostPort address)
    : context_(std::move(context)),
      peer_(peer),
      address_(std::move(address)),
      resolver_(context_->io),
      timer_(context_->io),
      jitter_(std::random_device{}()),
      expected_version_(context_->limits.protocols.max) {}

void OutboundLink::start() {
  connect();
}

void OutboundLink::stop() {
  if (stopped_) return;
  stopped_ = true;
  ++attempt_;
  connected_.store(false, std::memory_order_relaxed);
  resolver_.cancel();
  timer_.cancel();
  if (stream_) stream_->close();
  queue_.clear();
  queued_bytes_ = 0;
}

void OutboundLink::reconnect_now() {
  if (stopped_ || !waiting_to_reconnect_) return;
  waiting_to_reconnect_ = false;
  timer_.cancel();  // its handler belongs to the attempt connect() now supersedes
  count(context_->counters.reconnect_attempts);
  connect();
}

void OutboundLink::send(MessageFrame frame) {
  auto& counters = context_->counters;
  if (!accepting()) {
    count(counters.dropped_unreachable);
    return;
  }
  if (frame.problem != MessageFrame::Problem::kNone) return drop_unframed(frame.problem);
  if (queued_bytes_ + frame.bytes.size() > context_->limits.max_queue_bytes) {
    count(counters.dropped_queue_full);
    report_queue_full();
    return;
  }
  queued_bytes_ += frame.bytes.size();
  queue_.push_back({std::move(frame.bytes), encoding_version()});
  schedule_write();
}

void OutboundLink::schedule_write() {
  // The write starts once the handler that sent this returns, so that every frame it
  // sends (a flush sends one message per key) leaves in one write: one TLS record and one
  // system call for the lot, where writing at once would send the first alone.
  if (write_scheduled_ || writing_) return;
  write_scheduled_ = true;
  asio::post(context_->io, [self = shared_from_this()] {
    self->write_scheduled_ = false;
    self->write_queued();
  });
}

void OutboundLink::drop_unframed(MessageFrame::Problem problem) {
  if (problem == MessageFrame::Problem::kTooLarge) {
    count(context_->counters.dropped_too_large);
    spdlog::error("node {}: dropping a message to peer {} larger than {} bytes", context_->self,
                  peer_, context_->limits.max_frame_bytes);
  } else {
    count(context_->counters.dropped_not_in_version);
    spdlog::debug("node {}: dropping a message to peer {} that its peer protocol {} cannot carry",
                  context_->self, peer_, encoding_version());
  }
}

void OutboundLink::reencode_queued() {
  const std::uint8_t version = *protocol_version_;
  for (auto frame = queue_.begin(); frame != queue_.end();) {
    if (frame->version == version) {
      ++frame;
      continue;
    }
    // Encoded here, so it decodes.
    const std::optional<PeerMessage> message =
        wire::decode(std::string_view(frame->bytes).substr(kFrameHeaderBytes), frame->version);
    MessageFrame again = message
                             ? message_frame(*message, version, context_->limits.max_frame_bytes)
                             : MessageFrame{{}, MessageFrame::Problem::kNotInVersion};
    queued_bytes_ -= frame->bytes.size();
    if (again.problem != MessageFrame::Problem::kNone) {
      drop_unframed(again.problem);
      frame = queue_.erase(frame);
      continue;
    }
    queued_bytes_ += again.bytes.size();
    *frame = {std::move(again.bytes), version};
    ++frame;
  }
}

void OutboundLink::connect() {
  const std::uint64_t attempt = ++attempt_;
  // A fresh stream per attempt: a TLS stream serves one connection. The contexts are the
  // transport's current ones, so certificates reloaded meanwhile are used from now on.
  stream_ = std::make_shared<PeerStream>(tcp::socket(context_->io),
                                         context_->tls ? context_->tls->client : nullptr);
  handshaking_ = false;
  timer_.expires_after(context_->limits.connect_timeout);
  timer_.async_wait([self = shared_from_this(), attempt](const error_code& error) {
    if (error || !self->current(attempt)) return;
    if (self->handshaking_) return self->fail_tls("timed out");
    self->fail("connect timed out");
  });
  // An IP literal needs no resolver: asio resolves names on a helper thread of its own,
  // which the common case of numeric addresses avoids.
  error_code not_literal;
  const asio::ip::address literal = asio::ip::make_address(address_.host, not_literal);
  if (!not_literal) {
    const auto port = static_cast<asio::ip::port_type>(std::stoul(address_.port));
    connect_to(attempt, tcp::resolver::results_type::create(tcp::endpoint(literal, port),
                                                            address_.host, address_.port));
    return;
  }
  resolver_.async_resolve(
      address_.host, address_.port,
      [self = shared_from_this(), attempt](const error_code& error,
                                           const tcp::resolver::results_type& endpoints) {
        if (!self->current(attempt)) return;
        if (error) return self->fail("cannot resolve address: " + error.message());
        self->connect_to(attempt, endpoints);
      });
}

void OutboundLink::connect_to(std::uint64_t attempt, const tcp::resolver::results_type& endpoints) {
  asio::async_connect(stream_->socket(), endpoints,
                      [self = shared_from_this(), attempt, stream = stream_](
                          const error_code& error, const tcp::endpoint&) {
                        if (!self->current(attempt)) return;
                        if (error) return self->fail(error.message());
                        set_peer_socket_options(stream->socket(),
                                                self->context_->limits.dead_link_after);
                        self->handshake(attempt);
                      });
}

void OutboundLink::handshake(std::uint64_t attempt) {
  handshaking_ = stream_->tls();
  stream_->async_handshake(
      asio::ssl::stream_base::client,
      [self = shared_from_this(), attempt, stream = stream_](const error_code& error) {
        if (!self->current(attempt)) return;
        self->handshaking_ = false;
        if (error) return self->fail_tls(stream->handshake_failure(error));
        self->on_connected(attempt);
      });
}

void OutboundLink::fail_tls(const std::string& reason) {
  count(context_->counters.tls_handshake_failures);
  fail("TLS handshake failed: " + reason, true);
}

void OutboundLink::on_connected(std::uint64_t attempt) {
  timer_.cancel();
  down_ = false;
  if (hello_answer_ == HelloAnswer::kPending || hello_answer_ == HelloAnswer::kUnreachable) {
    hello_answer_ = HelloAnswer::kAwaitingAnswer;
  }
  link_up_ = true;
  count(context_->counters.connections_established);
  spdlog::info("node {}: connected to peer {} at {}", context_->self, peer_, to_string(address_));

  // The hello goes out alone, before any queued message.
  writing_ = true;
  asio::async_write(*stream_, asio::buffer(context_->hello_frame),
                    [self = shared_from_this(), attempt, stream = stream_](const error_code& error,
                                                                           std::size_t bytes) {
                      if (!self->current(attempt)) return;
                      if (error) return self->fail("cannot send hello: " + error.message());
                      count(self->context_->counters.bytes_sent, bytes);
                      self->writing_ = false;
                      self->write_queued();
                    });
  read_hello_reply(attempt);
}

void OutboundLink::read_hello_reply(std::uint64_t attempt) {
  asio::async_read(
      *stream_, asio::buffer(hello_reply_),
      [self = shared_from_this(), attempt, stream = stream_](const error_code& error, std::size_t) {
        if (!self->current(attempt)) return;
        if (error == asio::error::eof)
          return self->fail("closed by peer before answering the hello");
        // Over TLS 1.3 our side of the handshake ends before the peer has
        // checked our certificate: its refusal arrives as an alert here.
        if (error.category() == asio::error::get_ssl_category())
          return self->fail_tls(stream->handshake_failure(error));
        if (error) return self->fail(error.message());
        FrameHeader header{};
        std::copy_n(self->hello_reply_.begin(), kFrameHeaderBytes, header.begin());
        const std::string_view body(self->hello_reply_.data() + kFrameHeaderBytes,
                                    kHelloReplyBodyBytes);
        const ParsedHelloReply parsed =
            frame_body_length(header) == kHelloReplyBodyBytes
                ? parse_hello_reply(body)
                : ParsedHelloReply{std::nullopt, "hello reply of a wrong length"};
        if (!parsed.reply) {
          count(self->context_->counters.bad_hello_replies);
          return self->fail(parsed.problem);
        }
        if (const auto problem = self->accept_version(*parsed.reply)) {
          count(self->context_->counters.bad_hello_replies);
          return self->fail(*problem);
        }
        self->hello_answer_ =
            parsed.reply->knows_sender ? HelloAnswer::kKnowsUs : HelloAnswer::kDoesNotKnowUs;
        // Reachable only now: over TLS 1.3 our handshake ends before the peer checked our
        // certificate, and a peer may refuse the hello; neither took the connection.
        self->connected_.store(true, std::memory_order_relaxed);
        self->reencode_queued();
        self->write_queued();
        self->watch_for_close(attempt);
      });
}

std::optional<std::string> OutboundLink::accept_version(const HelloReply& reply) {
  const ProtocolRange ours = context_->limits.protocols;
  const std::optional<std::uint8_t> expected = negotiate(ours, reply.responder_protocols);
  if (!reply.chosen_version) {
    return fmt::format(
        "refused: no common peer protocol version, this replica speaks {}, the peer {}",
        to_string(ours), to_string(reply.responder_protocols));
  }
  if (reply.chosen_version != expected) {
    return fmt::format("hello reply chose peer protocol {}, not the highest of {} and {}",
                       *reply.chosen_version, to_string(ours),
                       to_string(reply.responder_protocols));
  }
  protocol_version_ = reply.chosen_version;
  expected_version_ = *reply.chosen_version;
  // Only a connection the peer takes ends a run of failures: one that refuses us at the
  // hello is retried with the growing backoff, not at once, and logged once.
  consecutive_failures_ = 0;
  return std::nullopt;
}

void OutboundLink::write_queued() {
  // Nothing but the hello goes out before the peer said which version the frames speak.
  if (!protocol_version_ || writing_ || queue_.empty()) return;
  // Everything queued while the previous write was in flight goes out in one gather
  // write. The batch owns its frames, so the buffers stay valid whatever happens to
  // the queue meanwhile.
  auto batch = std::make_shared<std::vector<QueuedFrame>>(std::make_move_iterator(queue_.begin()),
                                                          std::make_move_iterator(queue_.end()));
  queue_.clear();
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(batch->size());
  in_flight_bytes_ = 0;
  for (const QueuedFrame& frame : *batch) {
    buffers.emplace_back(asio::buffer(frame.bytes));
    in_flight_bytes_ += frame.bytes.size();
  }
  in_flight_frames_ = batch->size();
  writing_ = true;
  asio::async_write(*stream_, buffers,
                    [self = shared_from_this(), attempt = attempt_, batch, stream = stream_](
                        const error_code& error, std::size_t bytes) {
                      if (!self->current(attempt)) return;
                      if (error) return self->fail("write failed: " + error.message());
                      auto& counters = self->context_->counters;
                      count(counters.frames_sent, batch->size());
                      count(counters.bytes_sent, bytes);
                      self->queued_bytes_ -= self->in_flight_bytes_;
                      self->in_flight_bytes_ = 0;
                      self->in_flight_frames_ = 0;
                      self->writing_ = false;
                      self->write_queued();
                    });
}

void OutboundLink::watch_for_close(std::uint64_t attempt) {
  // Past the hello reply peers never write on this connection, so a completed read means
  // the peer closed it (or broke the protocol); either way the connection is done.
  stream_->async_read_some(
      asio::buffer(&probe_byte_, 1),
      [self = shared_from_this(), attempt, stream = stream_](const error_code& error, std::size_t) {
        if (!self->current(attempt)) return;
        if (error == asio::error::eof) return self->fail("closed by peer");
        if (error) return self->fail(error.message());
        self->fail("peer sent data on a send-only connection");
      });
}

void OutboundLink::fail(std::string_view what, bool refused) {
  connected_.store(false, std::memory_order_relaxed);
  const bool was_connected = std::exchange(link_up_, false);
  const bool was_answered = protocol_version_.has_value();
  protocol_version_.reset();
  const std::uint64_t attempt = ++attempt_;
  resolver_.cancel();
  timer_.cancel();
  handshaking_ = false;
  if (stream_) stream_->close();

  const std::size_t lost = queue_.size() + in_flight_frames_;
  count(context_->counters.dropped_unreachable, lost);
  queue_.clear();
  queued_bytes_ = 0;
  in_flight_frames_ = 0;
  in_flight_bytes_ = 0;
  writing_ = false;
  down_ = true;
  ++consecutive_failures_;

  const std::chrono::milliseconds delay = next_backoff();
  if (was_answered) {
    spdlog::warn("node {}: lost connection to peer {} at {} ({}), {} messages dropped",
                 context_->self, peer_, to_string(address_), what, lost);
  } else if (consecutive_failures_ == 1 && (was_connected || refused)) {
    // Connected, but the peer did not take the connection (it refused the TLS handshake
    // or the hello, or closed before answering it).
    spdlog::warn(
        "node {}: peer {} at {} did not take the connection ({}), {} messages "
        "dropped, retrying",
        context_->self, peer_, to_string(address_), what, lost);
  } else if (consecutive_failures_ == 1) {
    spdlog::info("node {}: peer {} at {} unreachable ({}), retrying", context_->self, peer_,
                 to_string(address_), what);
  } else {
    spdlog::debug("node {}: peer {} still unreachable ({}), next attempt in {} ms", context_->self,
                  peer_, what, delay.count());
  }

  if (hello_answer_ == HelloAnswer::kPending || hello_answer_ == HelloAnswer::kAwaitingAnswer) {
    hello_answer_ = HelloAnswer::kUnreachable;
  }
  waiting_to_reconnect_ = true;
  timer_.expires_after(delay);
  timer_.async_wait([self = shared_from_this(), attempt](const error_code& error) {
    if (error || !self->current(attempt)) return;
    self->waiting_to_reconnect_ = false;
    count(self->context_->counters.reconnect_attempts);
    self->connect();
  });
}

void OutboundLink::report_queue_full() {
  ++dropped_since_report_;
  const auto now = std::chrono::steady_clock::now();
  if (last_queue_full_report_ && now - *last_queue_full_report_ < kQueueFullReportInterval) return;
  spdlog::warn("node {}: send queue to peer {} is full ({} bytes), {} messages dropped",
               context_->self, peer_, queued_bytes_, dropped_since_report_);
  last_queue_full_report_ = now;
  dropped_since_report_ = 0;
}

std::chrono::milliseconds OutboundLink::next_backoff() {
  const auto& limits = context_->limits;
  auto ceiling = std::max(limits.reconnect_min, std::chrono::milliseconds{1});
  for (unsigned i = 1; i < consecutive_failures_ && ceiling < limits.reconnect_max; ++i) {
    ceiling *= 2;
  }
  ceiling = std::min(ceiling, std::max(limits.reconnect_max, limits.reconnect_min));
  // Jitter in [ceiling/2, ceiling], so replicas that lost a peer together do not all
  // knock on its door at the same moment.
  std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(ceiling.count() / 2,
                                                                     ceiling.count());
  return std::chrono::milliseconds{pick(jitter_)};
}

}  // namespace paxoskv

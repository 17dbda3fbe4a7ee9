// The send side of the connection to one peer: connects, says hello, reads the peer's
// answer to it, writes queued frames in batches, and reconnects with backoff when the
// connection fails.
//
// Frames are encoded in the peer protocol version of the connection. Until the peer's
// hello reply says which that is, messages are encoded in the version it chose last (at
// first the highest this replica speaks) and wait: if it chooses another, they are
// encoded again in it before anything is written.
//
// With peer TLS, each connection runs the TLS handshake (verifying the peer's certificate
// against the cluster's CA, presenting ours) before the hello; the connect timeout covers
// both.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "consensus/types.h"
#include "src/transport/frame.h"
#include "src/transport/peer_address.h"
#include "src/transport/peer_stream.h"
#include "src/transport/transport.h"

namespace paxoskv {

class TransportContext;

class OutboundLink : public std::enable_shared_from_this<OutboundLink> {
 public:
  OutboundLink(std::shared_ptr<TransportContext> context, consensus::NodeId peer, HostPort address);

  void start();
  void stop();
  // The peer is up (it connected to us): if waiting to reconnect, connect now rather than
  // at the end of the backoff, which after a restart of the peer can be seconds.
  void reconnect_now();

  // Whether a frame handed to send() now would be queued rather than dropped for the
  // peer being down; lets the caller skip encoding.
  bool accepting() const { return !stopped_ && !down_; }
  // The peer protocol version a message sent now is to be encoded in.
  std::uint8_t encoding_version() const { return protocol_version_.value_or(expected_version_); }
  // Queues a complete frame encoded in encoding_version(), or drops it (counted) if it has
  // none (see MessageFrame), the peer is down or the queue full.
  void send(MessageFrame frame);
  bool reachable() const { return connected_.load(std::memory_order_relaxed); }
  // See PeerTransport::hello_answer.
  HelloAnswer hello_answer() const { return hello_answer_; }
  // See PeerTransport::protocol_version.
  std::optional<std::uint8_t> protocol_version() const { return protocol_version_; }
  // Used from the next connection attempt on.
  void set_address(HostPort address) { address_ = std::move(address); }
  const HostPort& address() const { return address_; }

 private:
  void connect();
  void connect_to(std::uint64_t attempt,
                  const boost::asio::ip::tcp::resolver::results_type& endpoints);
  void handshake(std::uint64_t attempt);
  void on_connected(std::uint64_t attempt);
  void schedule_write();
  void write_queued();
  // Reads the peer's hello reply, then watches for the connection to close.
  void read_hello_reply(std::uint64_t attempt);
  // Takes the version the reply chose for the connection; why not, if the peer refused
  // (no common version) or chose one that is not the highest both speak.
  std::optional<std::string> accept_version(const HelloReply& reply);
  // Encodes the frames queued in another version than the connection's again in it.
  void reencode_queued();
  // Counts (and logs) a message dropped because it has no frame.
  void drop_unframed(MessageFrame::Problem problem);
  void watch_for_close(std::uint64_t attempt);
  // Abandons the current connection or attempt, drops what was queued and schedules
  // the next attempt. `refused`: the peer was reached but the connection was refused
  // (at the TLS handshake), which is worth a warning even before it was ever taken.
  void fail(std::string_view what, bool refused = false);
  // Fails a connection whose TLS handshake failed (or a TLS alert that ended it), counted.
  void fail_tls(const std::string& reason);
  void report_queue_full();
  std::chrono::milliseconds next_backoff();
  bool current(std::uint64_t attempt) const { return !stopped_ && attempt == attempt_; }

  std::shared_ptr<TransportContext> context_;
  const consensus::NodeId peer_;
  HostPort address_;
  boost::asio::ip::tcp::resolver resolver_;
  // The current connection's (a new one each attempt). Handlers hold it too, so that an
  // abandoned connection's stream lives until its last handler has run.
  std::shared_ptr<PeerStream> stream_;
  bool handshaking_ = false;  // connected, the TLS handshake under way
  // Connect timeout while connecting, backoff delay while waiting to reconnect.
  boost::asio::steady_timer timer_;
  std::minstd_rand jitter_;

  struct QueuedFrame {
    std::string bytes;
    std::uint8_t version = 0;  // the peer protocol version it is encoded in
  };
  std::deque<QueuedFrame> queue_;  // frames not yet handed to a write
  std::size_t queued_bytes_ = 0;   // queue_ plus the write in flight
  std::size_t in_flight_frames_ = 0;
  std::size_t in_flight_bytes_ = 0;
  bool writing_ = false;
  bool write_scheduled_ = false;  // a write_queued() is posted (see schedule_write)
  std::optional<std::chrono::steady_clock::time_point> last_queue_full_report_;
  std::uint64_t dropped_since_report_ = 0;

  // Identifies the connection (or attempt) handlers belong to: completions of an
  // abandoned one carry an older value and are ignored.
  std::uint64_t attempt_ = 0;
  // A connection failed and no new one is up yet: sends are dropped, not queued.
  bool down_ = false;
  bool waiting_to_reconnect_ = false;
  unsigned consecutive_failures_ = 0;
  bool stopped_ = false;
  // Whether the peer answered this connection's hello (what reachable() says).
  std::atomic<bool> connected_{false};
  // Whether this connection's TCP (and TLS) handshake succeeded: for the log of a failure.
  bool link_up_ = false;
  char probe_byte_ = 0;  // target of the read that detects the peer closing
  std::array<char, kFrameHeaderBytes + kHelloReplyBodyBytes> hello_reply_{};
  HelloAnswer hello_answer_ = HelloAnswer::kPending;
  // The version the peer chose for the current connection, set by its hello reply.
  std::optional<std::uint8_t> protocol_version_;
  // The version the next connection is expected to speak: the one chosen last.
  std::uint8_t expected_version_;
};

}  // namespace paxoskv

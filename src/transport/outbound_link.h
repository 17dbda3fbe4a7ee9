// The send side of the connection to one peer: connects, says hello, reads the peer's
// answer to it, writes queued frames in batches, and reconnects with backoff when the
// connection fails.
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
  // Queues a complete frame, or drops it (counted) if the peer is down or the queue full.
  void send(std::string frame);
  bool reachable() const { return connected_.load(std::memory_order_relaxed); }
  // See PeerTransport::hello_answer.
  HelloAnswer hello_answer() const { return hello_answer_; }
  // See PeerTransport::protocol_version.
  std::optional<std::uint8_t> protocol_version() const { return protocol_version_; }
  // Used from the next connection attempt on.
  void set_address(HostPort address) { address_ = std::move(address); }

 private:
  void connect();
  void connect_to(std::uint64_t attempt,
                  const boost::asio::ip::tcp::resolver::results_type& endpoints);
  void on_connected(std::uint64_t attempt);
  void write_queued();
  // Reads the peer's hello reply, then watches for the connection to close.
  void read_hello_reply(std::uint64_t attempt);
  // Takes the version the reply chose for the connection; why not, if the peer refused
  // (no common version) or chose one that is not the highest both speak.
  std::optional<std::string> accept_version(const HelloReply& reply);
  void watch_for_close(std::uint64_t attempt);
  // Abandons the current connection or attempt, drops what was queued and schedules
  // the next attempt.
  void fail(std::string_view what);
  void report_queue_full();
  std::chrono::milliseconds next_backoff();
  bool current(std::uint64_t attempt) const { return !stopped_ && attempt == attempt_; }

  std::shared_ptr<TransportContext> context_;
  const consensus::NodeId peer_;
  HostPort address_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  // Connect timeout while connecting, backoff delay while waiting to reconnect.
  boost::asio::steady_timer timer_;
  std::minstd_rand jitter_;

  std::deque<std::string> queue_;  // frames not yet handed to a write
  std::size_t queued_bytes_ = 0;   // queue_ plus the write in flight
  std::size_t in_flight_frames_ = 0;
  std::size_t in_flight_bytes_ = 0;
  bool writing_ = false;
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
  std::atomic<bool> connected_{false};
  char probe_byte_ = 0;  // target of the read that detects the peer closing
  std::array<char, kFrameHeaderBytes + kHelloReplyBodyBytes> hello_reply_{};
  HelloAnswer hello_answer_ = HelloAnswer::kPending;
  // The version the peer chose for the current connection, set by its hello reply.
  // Every version encodes messages the same way today; a later one that does not would
  // pick its encoding by this.
  std::optional<std::uint8_t> protocol_version_;
};

}  // namespace paxoskv

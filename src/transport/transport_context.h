// State shared by a PeerTransport and its connections. Connections hold it by shared_ptr,
// so their pending handlers stay valid after the PeerTransport itself is gone.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "consensus/cluster_name.h"
#include "consensus/types.h"
#include "src/transport/transport.h"

namespace paxoskv {

// The counters as atomics, so that other threads may read them while the io thread
// counts.
struct TransportCounterCells {
  std::atomic<std::uint64_t> frames_sent{0};
  std::atomic<std::uint64_t> bytes_sent{0};
  std::atomic<std::uint64_t> frames_received{0};
  std::atomic<std::uint64_t> bytes_received{0};
  std::atomic<std::uint64_t> dropped_queue_full{0};
  std::atomic<std::uint64_t> dropped_unreachable{0};
  std::atomic<std::uint64_t> dropped_too_large{0};
  std::atomic<std::uint64_t> dropped_not_in_version{0};
  std::atomic<std::uint64_t> decode_errors{0};
  std::atomic<std::uint64_t> oversize_frames{0};
  std::atomic<std::uint64_t> bad_hellos{0};
  std::atomic<std::uint64_t> bad_hello_replies{0};
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_established{0};
  std::atomic<std::uint64_t> reconnect_attempts{0};
  std::atomic<std::uint64_t> tls_handshake_failures{0};

  TransportCounters snapshot() const {
    const auto get = [](const std::atomic<std::uint64_t>& cell) {
      return cell.load(std::memory_order_relaxed);
    };
    return TransportCounters{
        .frames_sent = get(frames_sent),
        .bytes_sent = get(bytes_sent),
        .frames_received = get(frames_received),
        .bytes_received = get(bytes_received),
        .dropped_queue_full = get(dropped_queue_full),
        .dropped_unreachable = get(dropped_unreachable),
        .dropped_too_large = get(dropped_too_large),
        .dropped_not_in_version = get(dropped_not_in_version),
        .decode_errors = get(decode_errors),
        .oversize_frames = get(oversize_frames),
        .bad_hellos = get(bad_hellos),
        .bad_hello_replies = get(bad_hello_replies),
        .connections_accepted = get(connections_accepted),
        .connections_established = get(connections_established),
        .reconnect_attempts = get(reconnect_attempts),
        .tls_handshake_failures = get(tls_handshake_failures),
    };
  }
};

inline void count(std::atomic<std::uint64_t>& cell, std::uint64_t amount = 1) {
  cell.fetch_add(amount, std::memory_order_relaxed);
}

// The TLS contexts peer connections are made with: both verify the other side's
// certificate against the cluster's CA, and the server side requires one.
struct PeerTlsContexts {
  std::shared_ptr<boost::asio::ssl::context> server;  // for connections peers open to us
  std::shared_ptr<boost::asio::ssl::context> client;  // for the connections we open
};

class TransportContext {
 public:
  TransportContext(boost::asio::io_context& io, consensus::NodeId self,
                   std::string_view cluster_fingerprint, std::set<consensus::NodeId> peers,
                   TransportLimits limits, PeerTransport::MessageHandler on_message,
                   std::string hello_frame)
      : io(io),
        self(self),
        cluster_name(consensus::cluster_name_of(cluster_fingerprint)),
        peers(std::move(peers)),
        limits(limits),
        on_message(std::move(on_message)),
        hello_frame(std::move(hello_frame)) {}

  boost::asio::io_context& io;
  const consensus::NodeId self;
  const std::string cluster_name;     // of this replica's fingerprint: peers' must match it
  std::set<consensus::NodeId> peers;  // ids whose hellos are accepted (see set_peers)
  const TransportLimits limits;
  const PeerTransport::MessageHandler on_message;
  const std::string hello_frame;  // what this replica opens its connections with
  TransportCounterCells counters;
  // Set by PeerTransport::stop(); connections deliver nothing once it is.
  bool stopped = false;
  // Called when a peer's connection to us says hello: it is up.
  std::function<void(consensus::NodeId)> on_peer_hello;
  // How a peer's hello is answered; unset: this replica knows no peer.
  PeerTransport::KnowsPeer knows_peer;
  // Set: every new connection runs a TLS handshake with these before its hello; a
  // connection keeps the contexts it was made with when they are replaced.
  std::optional<PeerTlsContexts> tls;
};

}  // namespace paxoskv

// Message transport between replicas over TCP, or mutual TLS over TCP (see use_tls).
//
// Each replica keeps one outbound connection per peer, used only for sending, and reads
// messages from the inbound connections its peers open to it. A connection starts with a
// hello naming the sender and its cluster; a connection that misbehaves (bad hello,
// oversized or undecodable frame) is closed, never the replica. The receiver answers the
// hello with whether it knows the sender as having served (see hello_answer()): that is
// the only thing that travels back on a connection.
//
// Delivery is best effort: messages to a peer that is down, or whose send queue is full,
// are dropped and counted. Paxos retries whatever is lost. Messages over one connection
// arrive in the order they were sent.
//
// Everything runs on the caller's io_context thread; the transport has no threads of its
// own. Call every member on that thread (or before it runs), except counters() and
// reachable(), which any thread may call.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "consensus/messages.h"
#include "consensus/types.h"
#include "paxoskv/tls.h"
#include "src/anti_entropy/sync_messages.h"
#include "src/membership/key_list_messages.h"
#include "src/transport/frame.h"
#include "src/transport/peer_message.h"

namespace paxoskv {

struct TransportLimits {
  // Inbound frames above this close their connection; outbound messages above it are
  // dropped. At most 2^32-1.
  std::size_t max_frame_bytes = 8 << 20;
  // Per peer: bytes queued or being written. Messages beyond it are dropped.
  std::size_t max_queue_bytes = 64 << 20;
  // Reconnection backoff doubles from min to max, with jitter.
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{2000};
  // A connection attempt that takes longer fails (and is retried).
  std::chrono::milliseconds connect_timeout{2000};
  // A peer connection whose data goes unacknowledged this long (or whose idle keepalive
  // probes do) is broken and made again (see set_peer_socket_options).
  std::chrono::milliseconds dead_link_after{3000};
  // An inbound connection that has not sent its hello by then is closed.
  std::chrono::milliseconds hello_timeout{5000};
  // The peer protocol versions this replica speaks: a peer whose range does not meet it
  // is refused at the hello. Other than the product's range only in tests.
  ProtocolRange protocols = kProductProtocols;
};

struct TransportCounters {
  std::uint64_t frames_sent = 0;  // messages written to a socket
  std::uint64_t bytes_sent = 0;   // including framing and hellos
  std::uint64_t frames_received = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t dropped_queue_full = 0;
  // Sent while the peer was down, or lost with a connection that broke.
  std::uint64_t dropped_unreachable = 0;
  std::uint64_t dropped_too_large = 0;  // outbound messages above max_frame_bytes
  // Outbound messages the connection's peer protocol version cannot carry (see
  // wire_codec.h): a configuration change's, to a replica of an earlier version.
  std::uint64_t dropped_not_in_version = 0;
  std::uint64_t decode_errors = 0;    // inbound frames the codec rejected
  std::uint64_t oversize_frames = 0;  // inbound frames above max_frame_bytes
  // Malformed, unknown sender, other cluster, no common protocol version, timeout.
  std::uint64_t bad_hellos = 0;
  std::uint64_t bad_hello_replies = 0;  // malformed or refusing answers to our hellos
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_established = 0;  // outbound
  std::uint64_t reconnect_attempts = 0;       // outbound attempts after a failure or loss
  // TLS handshakes that failed or timed out, both directions: a connection without a
  // certificate signed by the cluster's CA, or a peer whose certificate is not.
  std::uint64_t tls_handshake_failures = 0;
};

// What a peer answered this replica's hello: whether it has received protocol messages
// from a replica under this replica's id.
enum class HelloAnswer {
  kPending,  // no connection answered yet, and none failed
  // Connected, the hello sent, no answer yet: the peer is reachable (a paused process
  // is: its kernel accepts the connection), so its answer is worth waiting for.
  kAwaitingAnswer,
  kUnreachable,  // the latest connection attempt failed (refused, timed out, closed)
                 // before any connection was answered
  kKnowsUs,      // "I have heard from your id": it has served
  kDoesNotKnowUs,
};

class TransportContext;
class PeerAcceptor;
class OutboundLink;

class PeerTransport {
 public:
  using MessageHandler = std::function<void(consensus::NodeId from, PeerMessage message)>;
  // Whether this replica has received protocol messages from `peer`.
  using KnowsPeer = std::function<bool(consensus::NodeId peer)>;

  // `peers` maps each other replica's id to its "host:port" (self excluded); the
  // transport accepts hellos only from these ids (see set_peers). `listen_address` is "host:port";
  // port 0 picks a free port (see listening_port()). `cluster_fingerprint` identifies the cluster:
  // connections from replicas of another cluster are refused. It is sent whole; of a peer's, only
  // the cluster name is compared (consensus/cluster_name.h), so replicas whose member lists differ
  // after a membership change still talk. Throws std::invalid_argument if an address is malformed,
  // `peers` contains `self`, the fingerprint is longer than 1024 bytes, max_frame_bytes exceeds
  // 2^32-1 or the protocol range is not valid(). `on_message` runs on the io_context thread and
  // must not throw.
  PeerTransport(boost::asio::io_context& io, consensus::NodeId self,
                std::string cluster_fingerprint, std::map<consensus::NodeId, std::string> peers,
                std::string listen_address, MessageHandler on_message, TransportLimits limits = {});
  // Stops (see stop()).
  ~PeerTransport();
  PeerTransport(const PeerTransport&) = delete;
  PeerTransport& operator=(const PeerTransport&) = delete;

  // Binds the listen address, so that listening_port() is known, without accepting yet:
  // until start(), peers' connection attempts are refused. Optional: start() binds if
  // this was not called. Throws std::runtime_error if the address cannot be resolved or
  // bound.
  void bind();
  // Binds (unless bind() did), then accepts peers' connections and connects to the peers.
  // Throws std::runtime_error if the address cannot be resolved, bound or listened on.
  // Call at most once.
  void start();
  // Closes every connection and timer. Safe to call twice. After it returns no
  // MessageHandler call starts, and nothing is sent.
  void stop();

  // Queues `message` for `to`; never blocks. Dropped (and counted) if `to` is not a
  // peer, is down, its queue is full, the message is larger than max_frame_bytes, or the
  // peer protocol version of the connection cannot carry it (see wire_codec.h).
  void send(consensus::NodeId to, const consensus::Message& message);
  void send(consensus::NodeId to, const anti_entropy::SyncRequest& message);
  void send(consensus::NodeId to, const anti_entropy::SyncReply& message);
  void send(consensus::NodeId to, const membership::KeyListRequest& message);
  void send(consensus::NodeId to, const membership::KeyListReply& message);

  // Replaces the peers, as the constructor's `peers` (self excluded; the same checks, and
  // nothing changes if one fails). A new id gets an outbound connection (made at once if
  // the transport is started); a known id whose address changed is reached there from its
  // next connection attempt (as with set_peer_address); an id no longer listed loses its
  // outbound connection and what was queued for it, its hellos are refused from now on
  // and its established inbound connection is closed.
  void set_peers(std::map<consensus::NodeId, std::string> peers);

  // Changes where `peer` is reached, from the next connection attempt on; an established
  // connection is kept. Throws std::invalid_argument if `peer` is not a peer or the
  // address is malformed.
  void set_peer_address(consensus::NodeId peer, const std::string& address);

  // Peer TLS from now on: every new connection, both ways, runs a mutual TLS handshake
  // before its hello, with `files.cert_file` as our certificate; the other side's must be
  // signed by `files.trusted_ca_file` (required, as are all three files), or the
  // connection is refused at the handshake and counted (tls_handshake_failures). No host
  // name is checked: the CA is the cluster's own, and whatever it signed is a peer.
  // Called again (say, after certificates were rotated), the files are read anew: new
  // connections use them, established ones keep going. Throws std::invalid_argument if a
  // file is not named and std::runtime_error if one cannot be used; then nothing changes.
  void use_tls(const TlsFiles& files);
  bool tls() const;

  // How hellos from peers are answered (see HelloAnswer); called on the io thread. Until
  // set, this replica knows no peer.
  void answer_hellos_with(KnowsPeer knows_peer);

  // Whether the outbound connection to `peer` is established and `peer` answered its hello.
  bool reachable(consensus::NodeId peer) const;
  // What `peer` answered on the latest connection it answered; kUnreachable if there is
  // none and the latest attempt failed. A later answer replaces an earlier one. Call on
  // the io thread. kUnreachable for an id that is not a peer.
  HelloAnswer hello_answer(consensus::NodeId peer) const;
  // The peer protocol version of the established outbound connection to `peer`, once its
  // hello is answered; nullopt otherwise. Call on the io thread.
  std::optional<std::uint8_t> protocol_version(consensus::NodeId peer) const;
  // The bound port, 0 before start().
  std::uint16_t listening_port() const;
  TransportCounters counters() const;

 private:
  template <typename M>
  void send_message(consensus::NodeId to, const M& message);
  // Throws std::invalid_argument unless `peers` could be this replica's peers.
  void check_peers(const std::map<consensus::NodeId, std::string>& peers) const;

  std::shared_ptr<TransportContext> context_;
  std::string listen_address_;
  std::map<consensus::NodeId, std::shared_ptr<OutboundLink>> links_;
  std::shared_ptr<PeerAcceptor> acceptor_;
  std::uint16_t listening_port_ = 0;
  bool started_ = false;
};

}  // namespace paxoskv

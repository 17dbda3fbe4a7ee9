// The receive side of a connection a peer opened to this replica: checks the hello and
// answers it, then reads frames, decodes them and hands the messages to the transport's
// handler. Reads take whatever has arrived, so that one read usually carries many frames.
// With peer TLS, the TLS handshake (which requires the peer's certificate) comes first;
// the hello timeout covers both.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/types.h"
#include "src/transport/frame.h"
#include "src/transport/peer_stream.h"

namespace paxoskv {

class TransportContext;

class InboundConnection : public std::enable_shared_from_this<InboundConnection> {
 public:
  // Called once the hello has identified the peer.
  using IdentifiedHandler = std::function<void(consensus::NodeId peer, InboundConnection&)>;

  // Over TLS with `tls` (the transport's server context when it was accepted), else plain.
  InboundConnection(std::shared_ptr<TransportContext> context, boost::asio::ip::tcp::socket socket,
                    std::shared_ptr<boost::asio::ssl::context> tls,
                    IdentifiedHandler on_identified);

  void start();
  void close();

 private:
  void on_handshake(const boost::system::error_code& error);
  // Counts and logs a failed (or timed out) TLS handshake, and closes.
  void refuse_handshake(const std::string& reason);
  void read_more();
  // Handles every complete frame received; false once the connection is closed.
  bool handle_frames();
  void on_hello(std::string_view body);
  void answer_hello(consensus::NodeId peer);
  // Answers a hello whose protocol range does not meet ours with "no common version",
  // then closes the connection.
  void refuse_version(const Hello& hello);
  void discard_until_closed();
  void on_message_frame(std::string_view body);
  // Closes the connection because the other end broke the protocol.
  void reject(std::string_view reason);
  std::string describe() const;  // "peer 3 (10.0.0.3:4711)" for logs

  std::shared_ptr<TransportContext> context_;
  PeerStream stream_;
  boost::asio::steady_timer hello_timer_;
  IdentifiedHandler on_identified_;
  std::string remote_;                     // the remote endpoint, for logs
  std::optional<consensus::NodeId> peer_;  // set by a valid hello
  std::string hello_reply_;                // being written
  // The version chosen for this connection by its hello: its frames are decoded as that
  // version has them.
  std::optional<std::uint8_t> protocol_version_;
  std::string received_;           // bytes read and not yet handled: at most one frame's worth
  std::size_t received_size_ = 0;  // of received_, the part filled by reads
  bool closed_ = false;
  bool handshake_done_ = false;  // the TLS handshake, or none is due
  bool refused_ = false;         // the hello was refused: the reply says so, then the end
};

}  // namespace paxoskv

// Accepts the connections peers open to this replica and keeps track of them, so that
// stopping closes them all and a peer's newer connection replaces its older one.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "consensus/types.h"

namespace paxoskv {

class InboundConnection;
class TransportContext;

class PeerAcceptor : public std::enable_shared_from_this<PeerAcceptor> {
 public:
  // Binds, without listening yet: connection attempts are refused until start().
  // Throws boost::system::system_error on failure.
  PeerAcceptor(std::shared_ptr<TransportContext> context,
               const boost::asio::ip::tcp::endpoint& endpoint);

  // Listens and accepts; throws boost::system::system_error if it cannot listen.
  void start();
  void stop();
  // Closes the established connection of `peer`, if there is one.
  void close_connection_of(consensus::NodeId peer);
  std::uint16_t port() const { return port_; }

 private:
  void accept();
  void identified(consensus::NodeId peer, InboundConnection& connection);

  std::shared_ptr<TransportContext> context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // pause after a failed accept
  std::uint16_t port_ = 0;
  std::vector<std::weak_ptr<InboundConnection>> connections_;
  std::map<consensus::NodeId, std::weak_ptr<InboundConnection>> by_peer_;
  bool stopped_ = false;
};

}  // namespace paxoskv

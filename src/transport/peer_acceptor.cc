#include "src/transport/peer_acceptor.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "src/transport/inbound_connection.h"
#include "src/transport/peer_socket.h"
#include "src/transport/transport_context.h"

namespace paxoskv {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
}  // namespace

PeerAcceptor::PeerAcceptor(std::shared_ptr<TransportContext> context, const tcp::endpoint& endpoint)
    : context_(std::move(context)), acceptor_(context_->io), retry_timer_(context_->io) {
  acceptor_.open(endpoint.protocol());
  // Lets a restarted replica bind again while connections of its previous life linger.
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  port_ = acceptor_.local_endpoint().port();
}

void PeerAcceptor::start() {
  acceptor_.listen();
  accept();
}

void PeerAcceptor::stop() {
  if (stopped_) return;
  stopped_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
  for (const auto& weak : connections_) {
    if (auto connection = weak.lock()) connection->close();
  }
  connections_.clear();
  by_peer_.clear();
}

void PeerAcceptor::close_connection_of(consensus::NodeId peer) {
  const auto slot = by_peer_.find(peer);
  if (slot == by_peer_.end()) return;
  if (auto connection = slot->second.lock()) {
    spdlog::info("node {}: closing the connection of peer {}, no longer a peer", context_->self,
                 peer);
    connection->close();
  }
  by_peer_.erase(slot);
}

void PeerAcceptor::accept() {
  acceptor_.async_accept([self = shared_from_this()](const error_code& error, tcp::socket socket) {
    if (self->stopped_) return;
    if (error) {
      // Typically out of file descriptors: keep accepting after a pause rather than go
      // deaf, or spin.
      spdlog::error("node {}: accepting a peer connection failed: {}", self->context_->self,
                    error.message());
      self->retry_timer_.expires_after(kAcceptRetryDelay);
      self->retry_timer_.async_wait([self](const error_code& wait_error) {
        if (!wait_error && !self->stopped_) self->accept();
      });
      return;
    }
    count(self->context_->counters.connections_accepted);
    set_peer_socket_options(socket, self->context_->limits.dead_link_after);
    std::erase_if(self->connections_, [](const auto& weak) { return weak.expired(); });
    auto connection = std::make_shared<InboundConnection>(
        self->context_, std::move(socket),
        self->context_->tls ? self->context_->tls->server : nullptr,
        [weak_acceptor = std::weak_ptr<PeerAcceptor>(self)](consensus::NodeId peer,
                                                            InboundConnection& identified) {
          if (auto acceptor = weak_acceptor.lock()) acceptor->identified(peer, identified);
        });
    self->connections_.push_back(connection);
    connection->start();
    self->accept();
  });
}

void PeerAcceptor::identified(consensus::NodeId peer, InboundConnection& connection) {
  // A peer opens a new connection only after it gave up on the old one, which may still
  // look alive from here (for instance after a network partition).
  auto& slot = by_peer_[peer];
  if (auto previous = slot.lock(); previous && previous.get() != &connection) {
    spdlog::info("node {}: peer {} reconnected, closing its previous connection", context_->self,
                 peer);
    previous->close();
  }
  slot = connection.weak_from_this();
  if (!context_->stopped && context_->on_peer_hello) context_->on_peer_hello(peer);
}

}  // namespace paxoskv

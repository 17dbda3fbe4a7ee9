#include "http/client_acceptor.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <chrono>

#include "http/server_context.h"
#include "http/session.h"

namespace paxoskv::http {

namespace net = boost::asio;
using net::ip::tcp;

namespace {

// After a failed accept (out of file descriptors, say), before trying again.
constexpr std::chrono::milliseconds accept_retry_delay{100};

}  // namespace

ClientAcceptor::ClientAcceptor(net::io_context& io, const tcp::endpoint& endpoint,
                               std::shared_ptr<ServerContext> context)
    : io_(io),
      strand_(net::make_strand(io)),
      acceptor_(strand_),
      retry_timer_(strand_),
      context_(std::move(context)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
  local_endpoint_ = acceptor_.local_endpoint();
}

void ClientAcceptor::start() {
  net::post(strand_, [self = shared_from_this()] { self->accept(); });
}

void ClientAcceptor::stop() {
  net::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
}

void ClientAcceptor::accept() {
  if (stopped_) return;
  // Each connection gets a strand of its own: its handlers never run concurrently.
  acceptor_.async_accept(
      net::make_strand(io_),
      [self = shared_from_this()](boost::system::error_code error, tcp::socket socket) {
        self->on_accept(error, std::move(socket));
      });
}

void ClientAcceptor::on_accept(boost::system::error_code error, tcp::socket socket) {
  if (stopped_) return;
  if (error) {
    spdlog::warn("paxoskv http: accept failed: {}", error.message());
    retry_timer_.expires_after(accept_retry_delay);
    retry_timer_.async_wait(
        [self = shared_from_this()](boost::system::error_code) { self->accept(); });
    return;
  }
  if (!context_->has_room_for_connection()) {
    if (!rejecting_) {
      spdlog::warn("paxoskv http: {} connections open, closing new ones",
                   context_->limits().max_connections);
      rejecting_ = true;
    }
    context_->metrics().connection_rejected();
    boost::system::error_code ignored;
    socket.close(ignored);
  } else {
    rejecting_ = false;
    // Responses go out in more than one write: without this, Nagle's algorithm and the
    // client's delayed ACK stall them for tens of milliseconds.
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto session = std::make_shared<Session>(std::move(socket), context_->tls_context(), context_);
    context_->add(session);
    session->start();
  }
  accept();
}

}  // namespace paxoskv::http

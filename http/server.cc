#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <stdexcept>
#include <utility>

#include "http/client_acceptor.h"
#include "http/query_params.h"
#include "http/server_context.h"

namespace paxoskv::http {

namespace net = boost::asio;
using net::ip::tcp;

namespace {

struct HostPort {
  std::string host;
  std::string port;
};

HostPort split_host_port(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos) {
    throw std::runtime_error("bad listen address '" + host_port + "': expected host:port");
  }
  std::string host = host_port.substr(0, colon);
  std::string port = host_port.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]
  }
  if (host.empty()) host = "0.0.0.0";
  const auto number = parse_decimal_u64(port);
  if (!number || *number > 65535) {
    throw std::runtime_error("bad listen address '" + host_port + "': bad port");
  }
  return {std::move(host), std::move(port)};
}

}  // namespace

Server::Server(net::io_context& io, Backend& backend, ServerLimits limits)
    : Server(io, std::shared_ptr<Backend>(std::shared_ptr<Backend>(), &backend), limits) {}

Server::Server(net::io_context& io, std::shared_ptr<Backend> backend, ServerLimits limits,
               AccessControl access)
    : io_(io), context_(std::make_shared<ServerContext>(std::move(backend), limits, access)) {}

Server::~Server() {
  stop();
}

void Server::listen(const std::string& host_port) {
  if (acceptor_) throw std::logic_error("paxoskv http server already listening");
  const HostPort address = split_host_port(host_port);
  try {
    tcp::resolver resolver(io_);
    const auto endpoints = resolver.resolve(
        address.host, address.port, tcp::resolver::passive | tcp::resolver::numeric_service);
    if (endpoints.empty()) throw std::runtime_error("no address");
    acceptor_ = std::make_shared<ClientAcceptor>(io_, endpoints.begin()->endpoint(), context_);
  } catch (const std::exception& error) {
    throw std::runtime_error("cannot listen on " + host_port + ": " + error.what());
  }
  acceptor_->start();
  const auto& bound = acceptor_->local_endpoint();
  spdlog::info("paxoskv http: listening on {}:{}{}", bound.address().to_string(), bound.port(),
               context_->tls_context() ? " (TLS)" : "");
}

void Server::use_tls(std::shared_ptr<net::ssl::context> context) {
  context_->set_tls_context(std::move(context));
}

std::uint16_t Server::port() const {
  return acceptor_ ? acceptor_->local_endpoint().port() : 0;
}

void Server::stop() {
  if (stopped_.exchange(true)) return;
  if (acceptor_) {
    acceptor_->stop();
    spdlog::info("paxoskv http: stopped accepting on port {}", port());
  }
  context_->stop_sessions();
}

}  // namespace paxoskv::http

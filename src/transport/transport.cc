#include "src/transport/transport.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/system_error.hpp>
#include <cstdint>
#include <set>
#include <stdexcept>

#include "src/tls/tls_context.h"
#include "src/transport/frame.h"
#include "src/transport/outbound_link.h"
#include "src/transport/peer_acceptor.h"
#include "src/transport/peer_address.h"
#include "src/transport/transport_context.h"

namespace paxoskv {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

HostPort parse_or_throw(const std::string& address, std::string_view what) {
  std::optional<HostPort> parsed = parse_host_port(address);
  if (!parsed) {
    throw std::invalid_argument(
        fmt::format("paxoskv: malformed {} address '{}' (expected host:port)", what, address));
  }
  return std::move(*parsed);
}

std::set<consensus::NodeId> ids_of(const std::map<consensus::NodeId, std::string>& peers) {
  std::set<consensus::NodeId> ids;
  for (const auto& [id, address] : peers) ids.insert(id);
  return ids;
}

}  // namespace

PeerTransport::PeerTransport(asio::io_context& io, consensus::NodeId self,
                             std::string cluster_fingerprint,
                             std::map<consensus::NodeId, std::string> peers,
                             std::string listen_address, MessageHandler on_message,
                             TransportLimits limits)
    : listen_address_(std::move(listen_address)) {
  if (cluster_fingerprint.size() > kMaxFingerprintBytes) {
    throw std::invalid_argument("paxoskv: cluster fingerprint longer than 1024 bytes");
  }
  if (limits.max_frame_bytes > UINT32_MAX) {
    throw std::invalid_argument("paxoskv: max_frame_bytes exceeds 2^32-1");
  }
  if (!valid(limits.protocols)) {
    throw std::invalid_argument("paxoskv: empty peer protocol range " +
                                to_string(limits.protocols));
  }
  parse_or_throw(listen_address_, "listen");

  std::string hello = hello_frame(Hello{self, cluster_fingerprint, limits.protocols});
  context_ = std::make_shared<TransportContext>(io, self, cluster_fingerprint, ids_of(peers),
                                                limits, std::move(on_message), std::move(hello));
  check_peers(peers);
  for (const auto& [id, address] : peers) {
    links_.emplace(id,
                   std::make_shared<OutboundLink>(context_, id, parse_or_throw(address, "peer")));
  }
  context_->on_peer_hello = [this](consensus::NodeId peer) {
    if (const auto link = links_.find(peer); link != links_.end()) link->second->reconnect_now();
  };
}

PeerTransport::~PeerTransport() {
  stop();
}

void PeerTransport::bind() {
  if (acceptor_) return;
  if (context_->stopped) throw std::logic_error("paxoskv: PeerTransport::bind after stop");
  const HostPort address = parse_or_throw(listen_address_, "listen");
  try {
    tcp::resolver resolver(context_->io);
    const auto endpoints = resolver.resolve(address.host, address.port, tcp::resolver::passive);
    acceptor_ = std::make_shared<PeerAcceptor>(context_, endpoints.begin()->endpoint());
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error(fmt::format("paxoskv: cannot bind the peer address {}: {}",
                                         listen_address_, error.code().message()));
  }
  listening_port_ = acceptor_->port();
}

void PeerTransport::start() {
  if (started_ || context_->stopped) {
    throw std::logic_error("paxoskv: PeerTransport::start called twice or after stop");
  }
  bind();
  try {
    acceptor_->start();
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error(fmt::format("paxoskv: cannot listen for peers on {}: {}",
                                         listen_address_, error.code().message()));
  }
  started_ = true;
  spdlog::info("node {}: listening for peers on {} (port {})", context_->self, listen_address_,
               listening_port_);
  for (auto& [id, link] : links_) link->start();
}

void PeerTransport::stop() {
  if (context_->stopped) return;
  context_->stopped = true;
  context_->on_peer_hello = nullptr;  // it points at this transport
  context_->knows_peer = nullptr;     // it may point at the transport's owner
  if (acceptor_) acceptor_->stop();
  for (auto& [id, link] : links_) link->stop();
  if (started_) spdlog::info("node {}: peer transport stopped", context_->self);
}

template <typename M>
void PeerTransport::send_message(consensus::NodeId to, const M& message) {
  const auto link = links_.find(to);
  if (link == links_.end()) {
    count(context_->counters.dropped_unreachable);
    spdlog::warn("node {}: dropping a message to {}, which is not a peer", context_->self, to);
    return;
  }
  if (!link->second->accepting()) {
    count(context_->counters.dropped_unreachable);
    return;
  }
  link->second->send(
      message_frame(message, link->second->encoding_version(), context_->limits.max_frame_bytes));
}

void PeerTransport::send(consensus::NodeId to, const consensus::Message& message) {
  send_message(to, message);
}

void PeerTransport::send(consensus::NodeId to, const anti_entropy::SyncRequest& message) {
  send_message(to, message);
}

void PeerTransport::send(consensus::NodeId to, const anti_entropy::SyncReply& message) {
  send_message(to, message);
}

void PeerTransport::send(consensus::NodeId to, const membership::KeyListRequest& message) {
  send_message(to, message);
}

void PeerTransport::send(consensus::NodeId to, const membership::KeyListReply& message) {
  send_message(to, message);
}

void PeerTransport::check_peers(const std::map<consensus::NodeId, std::string>& peers) const {
  if (peers.contains(context_->self)) {
    throw std::invalid_argument(
        fmt::format("paxoskv: node {} is listed as its own peer", context_->self));
  }
  for (const auto& [id, address] : peers) parse_or_throw(address, "peer");
}

void PeerTransport::set_peers(std::map<consensus::NodeId, std::string> peers) {
  check_peers(peers);
  for (auto link = links_.begin(); link != links_.end();) {
    if (peers.contains(link->first)) {
      ++link;
      continue;
    }
    spdlog::info("node {}: peer {} removed", context_->self, link->first);
    link->second->stop();
    context_->peers.erase(link->first);
    if (acceptor_) acceptor_->close_connection_of(link->first);
    link = links_.erase(link);
  }
  for (auto& [id, address] : peers) {
    HostPort host_port = parse_or_throw(address, "peer");
    if (const auto link = links_.find(id); link != links_.end()) {
      if (link->second->address() != host_port) {
        spdlog::info("node {}: peer {} moves to {}", context_->self, id, address);
        link->second->set_address(std::move(host_port));
      }
      continue;
    }
    spdlog::info("node {}: peer {} added at {}", context_->self, id, address);
    auto link = std::make_shared<OutboundLink>(context_, id, std::move(host_port));
    context_->peers.insert(id);
    if (started_ && !context_->stopped) link->start();
    links_.emplace(id, std::move(link));
  }
}

void PeerTransport::set_peer_address(consensus::NodeId peer, const std::string& address) {
  const auto link = links_.find(peer);
  if (link == links_.end()) {
    throw std::invalid_argument(fmt::format("paxoskv: node {} is not a peer", peer));
  }
  link->second->set_address(parse_or_throw(address, "peer"));
}

void PeerTransport::use_tls(const TlsFiles& files) {
  if (!files.complete()) {
    throw std::invalid_argument(
        "paxoskv: peer TLS needs a certificate, its key and the trusted CA file");
  }
  TlsFiles server_files = files;
  server_files.client_cert_auth = true;  // a peer without a certificate is refused
  // Both are built before either is used, so a bad file changes nothing.
  PeerTlsContexts contexts{tls::make_server_context(server_files), tls::make_client_context(files)};
  context_->tls = std::move(contexts);
}

bool PeerTransport::tls() const {
  return context_->tls.has_value();
}

void PeerTransport::answer_hellos_with(KnowsPeer knows_peer) {
  context_->knows_peer = std::move(knows_peer);
}

bool PeerTransport::reachable(consensus::NodeId peer) const {
  const auto link = links_.find(peer);
  return link != links_.end() && link->second->reachable();
}

std::optional<std::uint8_t> PeerTransport::protocol_version(consensus::NodeId peer) const {
  const auto link = links_.find(peer);
  if (link == links_.end()) return std::nullopt;
  return link->second->protocol_version();
}

HelloAnswer PeerTransport::hello_answer(consensus::NodeId peer) const {
  const auto link = links_.find(peer);
  return link == links_.end() ? HelloAnswer::kUnreachable : link->second->hello_answer();
}

std::uint16_t PeerTransport::listening_port() const {
  return listening_port_;
}

TransportCounters PeerTransport::counters() const {
  return context_->counters.snapshot();
}

}  // namespace paxoskv

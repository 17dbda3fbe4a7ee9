#include "src/peer_round_trips.h"

#include <optional>
#include <type_traits>
#include <variant>

namespace paxoskv {

void PeerRoundTrips::sent(consensus::NodeId to, const consensus::Message& message,
                          Clock::time_point at) {
  using RequestKind = Request::Kind;
  std::optional<Request> request = std::visit(
      [](const auto& m) -> std::optional<Request> {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, consensus::Prepare>) {
          return Request{RequestKind::kPrepare, m.key, m.slot, m.ballot};
        } else if constexpr (std::is_same_v<M, consensus::Accept>) {
          return Request{RequestKind::kAccept, m.key, m.slot, m.ballot};
        } else if constexpr (std::is_same_v<M, consensus::ReadQuery>) {
          return Request{RequestKind::kRead, m.key, m.read_id, {}};
        } else if constexpr (std::is_same_v<M, consensus::KeepAlive>) {
          return Request{RequestKind::kKeepAlive, m.key, m.request, {}};
        } else {
          return std::nullopt;
        }
      },
      message);
  if (request) await(peers_[to], std::move(*request), at);
}

void PeerRoundTrips::received(consensus::NodeId from, const consensus::Message& message,
                              Clock::time_point at) {
  const auto found = peers_.find(from);
  if (found == peers_.end()) return;
  Peer& peer = found->second;
  using RequestKind = Request::Kind;
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, consensus::Promise>) {
          answered(peer, Request{RequestKind::kPrepare, m.key, m.slot, m.ballot}, at);
        } else if constexpr (std::is_same_v<M, consensus::Accepted>) {
          answered(peer, Request{RequestKind::kAccept, m.key, m.slot, m.ballot}, at);
        } else if constexpr (std::is_same_v<M, consensus::ReadReply>) {
          answered(peer, Request{RequestKind::kRead, m.key, m.read_id, {}}, at);
        } else if constexpr (std::is_same_v<M, consensus::KeepAliveAck>) {
          answered(peer, Request{RequestKind::kKeepAlive, m.key, m.request, {}}, at);
        } else if constexpr (std::is_same_v<M, consensus::Reject>) {
          // It answers the prepare or the accept of its ballot; if both await an answer,
          // which one is unknown: neither is measured.
          const Request prepare{RequestKind::kPrepare, m.key, m.slot, m.ballot};
          const Request accept{RequestKind::kAccept, m.key, m.slot, m.ballot};
          const auto prepare_at = peer.awaited.find(prepare);
          const auto accept_at = peer.awaited.find(accept);
          if (prepare_at != peer.awaited.end() && accept_at != peer.awaited.end()) {
            peer.awaited.erase(prepare_at);
            peer.awaited.erase(accept_at);
          } else if (!answered(peer, prepare, at)) {
            answered(peer, accept, at);
          }
        }
      },
      message);
  forget_old(peer, at);
}

std::map<consensus::NodeId, kvstore::LatencyCounts> PeerRoundTrips::counts() const {
  std::map<consensus::NodeId, kvstore::LatencyCounts> result;
  for (const auto& [id, peer] : peers_) result.emplace(id, peer.histogram.counts());
  return result;
}

std::size_t PeerRoundTrips::awaited(consensus::NodeId peer) const {
  const auto found = peers_.find(peer);
  return found == peers_.end() ? 0 : found->second.awaited.size();
}

void PeerRoundTrips::await(Peer& peer, Request request, Clock::time_point at) {
  forget_old(peer, at);
  if (const auto found = peer.awaited.find(request); found != peer.awaited.end()) {
    found->second.sent_again = true;
    return;
  }
  if (peer.awaited.size() >= kMaxAwaited) return;
  peer.awaited.emplace(request, Awaited{at});
  peer.order.emplace_back(at, std::move(request));
}

bool PeerRoundTrips::answered(Peer& peer, const Request& request, Clock::time_point at) {
  const auto found = peer.awaited.find(request);
  if (found == peer.awaited.end()) return false;
  if (!found->second.sent_again) {
    peer.histogram.observe(
        std::chrono::duration_cast<std::chrono::microseconds>(at - found->second.sent_at));
  }
  peer.awaited.erase(found);
  return true;
}

void PeerRoundTrips::forget_old(Peer& peer, Clock::time_point now) {
  // The order holds each awaited request once, and answered ones until they reach the
  // front; beyond twice the limit of awaited ones, the oldest go whatever they are.
  while (!peer.order.empty()) {
    const auto& [sent_at, request] = peer.order.front();
    const auto found = peer.awaited.find(request);
    const bool current = found != peer.awaited.end() && found->second.sent_at == sent_at;
    if (current && now - sent_at < kAnswerWithin && peer.order.size() <= 2 * kMaxAwaited) break;
    if (current) peer.awaited.erase(found);
    peer.order.pop_front();
  }
}

}  // namespace paxoskv

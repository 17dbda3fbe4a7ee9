#include "consensus/peers.h"

#include <algorithm>
#include <utility>

#include "consensus/build_variant.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

namespace {

// A peer that owes us an answer this long is passed over by phase 2 until it speaks.
constexpr TimeMs kSlowPeerAfterMs = 100;
// A peer that let an accept go late is passed over this long, whatever else it sends (it
// may hear nothing from us while we hear from it).
constexpr TimeMs kLatePeerPassedOverMs = 1000;

}  // namespace

Peers::Peers(NodeId self, const Configuration& configuration) : self_(self) {
  reconfigure(configuration);
}

void Peers::reconfigure(const Configuration& configuration) {
  members_ = configuration.voters();
  others_.clear();
  for (NodeId member : members_) {
    if (member != self_) others_.push_back(member);
  }
  rule_ = QuorumRule::of(configuration);
  thrifty_ = !configuration.joint() && configuration.is_member(self_);
}

bool Peers::is_member(NodeId node) const {
  return std::find(members_.begin(), members_.end(), node) != members_.end();
}

void Peers::set_reachable(NodeId peer, bool reachable) {
  if (reachable) {
    unreachable_.erase(peer);
  } else {
    unreachable_.insert(peer);
  }
}

void Peers::sent(NodeId peer, const Message& message, TimeMs now) {
  if (expects_answer(message)) owes_since_.emplace(peer, now);  // keeps the oldest
}

void Peers::note_late(NodeId peer, TimeMs now) {
  late_until_[peer] = now + kLatePeerPassedOverMs;
}

std::vector<NodeId> Peers::phase2_targets(TimeMs now, bool with_own_acceptor) {
  if (!thrifty_) {
    // Our own acceptor is asked even when its answer does not count (we are no voter):
    // a reloaded leadership relies on it holding whatever we proposed.
    std::vector<NodeId> targets = members_;
    if (with_own_acceptor && !is_member(self_)) targets.push_back(self_);
    return targets;
  }
  const std::size_t quorum = members_.size() / 2 + 1;
  std::vector<NodeId> targets;
  if (with_own_acceptor) targets.push_back(self_);
  const std::size_t first = accept_rotation_++;
  for (const bool owing : {false, true}) {
    for (std::size_t i = 0; i < others_.size() && targets.size() < quorum; ++i) {
      const NodeId peer = others_[(first + i) % others_.size()];
      if (owes_since_.contains(peer) == owing && responsive(peer, now)) targets.push_back(peer);
    }
  }
  return targets.size() < quorum ? members_ : targets;
}

bool Peers::responsive(NodeId peer, TimeMs now) const {
  if (unreachable_.contains(peer)) return false;
  if (const auto late = late_until_.find(peer); late != late_until_.end() && now < late->second) {
    return false;
  }
  const auto owes = owes_since_.find(peer);
  return owes == owes_since_.end() || now < owes->second + kSlowPeerAfterMs;
}

bool expects_answer(const Message& message) {
  return std::holds_alternative<Prepare>(message) || std::holds_alternative<Accept>(message) ||
         std::holds_alternative<ReadQuery>(message) ||
         std::holds_alternative<CatchUpRequest>(message) ||
         std::holds_alternative<ForwardRequest>(message) ||
         std::holds_alternative<ForwardWithdraw>(message);
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

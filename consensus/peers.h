// What one replica's core knows of its peers: who they are, which the transport cannot
// reach, which owe it an answer and since when, which let an accept go late; and from
// that, which acceptors a thrifty phase 2 asks.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/configuration.h"
#include "consensus/messages.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class Peers {
 public:
  Peers(NodeId self, const Configuration& configuration);

  // Takes the voters and quorum rule of a newly chosen configuration.
  void reconfigure(const Configuration& configuration);
  // Everyone whose vote counts (both configurations' members while a change runs).
  const std::vector<NodeId>& members() const { return members_; }
  bool is_member(NodeId node) const;
  // Who must answer for a round to count.
  const QuorumRule& rule() const { return rule_; }

  // What the transport knows of a peer's connection (all count as reachable until told).
  void set_reachable(NodeId peer, bool reachable);
  bool reachable(NodeId peer) const { return !unreachable_.contains(peer); }

  // `message` went to `peer`: if the peer answers such messages, it now owes us one.
  void sent(NodeId peer, const Message& message, TimeMs now);
  // Any message from `peer` settles what it owed.
  void heard_from(NodeId peer) { owes_since_.erase(peer); }
  // `peer` was asked in phase 2 and had not answered when the accept was spread.
  void note_late(NodeId peer, TimeMs now);

  // Thrifty phase 2: this replica's own acceptor (unless a test leaves it out) and just
  // enough peers for a majority, in turns, those that owe us no answer first (they are
  // surely alive), then those whose answer is not late. Every member if too few qualify,
  // while a change runs (two majorities are needed), and if this replica is no voter.
  std::vector<NodeId> phase2_targets(TimeMs now, bool with_own_acceptor);

 private:
  bool responsive(NodeId peer, TimeMs now) const;

  NodeId self_ = 0;
  std::vector<NodeId> members_;  // self included
  std::vector<NodeId> others_;   // the members but us
  QuorumRule rule_;
  bool thrifty_ = false;  // one majority decides, and we are in it
  std::set<NodeId> unreachable_;
  // Peers that owe us an answer, since when: cleared by any message from them.
  std::map<NodeId, TimeMs> owes_since_;
  std::map<NodeId, TimeMs> late_until_;  // see note_late
  std::size_t accept_rotation_ = 0;
};

// Whether `message` is one its receiver answers: sending it makes the peer owe us one.
bool expects_answer(const Message& message);

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

#include "consensus/acceptor.h"

#include <optional>
#include <utility>

#include "consensus/build_variant.h"
#include "consensus/core_context.h"
#include "consensus/roles.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

// A slot this replica has applied already: the proposer gets the chosen state instead.
bool Acceptor::answered_as_decided(NodeId from, const std::string& key, const KeyState& ks,
                                   Slot slot) {
  if (slot > ks.applied.version) return false;
  context_.send(from, chosen_state(key, ks));
  return true;
}

void Acceptor::on(NodeId from, Prepare& m) {
  if (!roles_.reconfiguration.answers(from, m.config)) return;
  KeyState& ks = context_.keys().state(m.key);
  roles_.proposer.notice_ballot(ks, m.ballot);
  if (answered_as_decided(from, m.key, ks, m.slot)) return;
  if (m.slot > ks.applied.version + 1 && !context_.planted(PlantedBug::kPromiseWhileBehind)) {
    // We missed chosen slots. A promise counts us as holding the key up to the slot
    // before: a membership change's carry-over relies on it to find every key's latest
    // state on a majority of the new members. Ask to catch up; the proposer re-sends.
    context_.send(from, CatchUpRequest{m.key, ks.applied.version});
    return;
  }
  if (m.ballot < ks.acceptor.promised) {
    context_.send(from, Reject{m.key, m.slot, m.ballot, ks.acceptor.promised});
    return;
  }
  if (m.ballot > ks.acceptor.promised) {
    ks.acceptor.promised = m.ballot;
    ks.acceptor.promised_incarnation = m.incarnation;
    context_.persist_acceptor(m.key, ks);
  }
  std::optional<AcceptedProposal> accepted;
  if (ks.acceptor.accepted && ks.acceptor.accepted->slot == m.slot) {
    accepted = ks.acceptor.accepted;
  }
  context_.send(from, Promise{m.key, m.slot, m.ballot, std::move(accepted)});
}

void Acceptor::on(NodeId from, Accept& m) {
  if (!roles_.reconfiguration.answers(from, m.config)) return;
  KeyState& ks = context_.keys().state(m.key);
  roles_.proposer.notice_ballot(ks, m.ballot);
  if (answered_as_decided(from, m.key, ks, m.slot)) return;
  if (m.ballot < ks.acceptor.promised && !context_.planted(PlantedBug::kAcceptorIgnoresPromise)) {
    context_.send(from, Reject{m.key, m.slot, m.ballot, ks.acceptor.promised});
    return;
  }
  if (m.slot > ks.applied.version + 1) {
    // We missed chosen slots: accepting now would drop our record of the open slot
    // before its value is known here. Ask to catch up; the proposer re-sends.
    context_.send(from, CatchUpRequest{m.key, ks.applied.version});
    return;
  }
  // A lease's expiry too early on our clock is not answered: the proposer retries later.
  if (!roles_.leases.may_accept(m.key, m.value)) return;
  if (m.ballot > ks.acceptor.promised) {
    ks.acceptor.promised = m.ballot;
    ks.acceptor.promised_incarnation = m.incarnation;
  }
  roles_.forwarding.note_leader(ks, m.ballot.node, m.incarnation);
  ks.acceptor.accepted = AcceptedProposal{m.slot, m.ballot, std::move(m.value), m.op, m.lease};
  roles_.learner.await_commit(ks);
  context_.persist_acceptor(m.key, ks);
  context_.send(from, Accepted{m.key, m.slot, m.ballot});
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

// The roles of one replica's core, as Paxos names them (and the two services around them:
// forwarding writes to the key's proposer, and quorum reads). Each role keeps its own part
// of a key's state (see KeyState) and reaches the others through this.
#pragma once

#include "consensus/acceptor.h"
#include "consensus/build_variant.h"
#include "consensus/forwarding.h"
#include "consensus/learner.h"
#include "consensus/leases.h"
#include "consensus/proposer.h"
#include "consensus/quorum_reads.h"
#include "consensus/reconfiguration.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class CoreContext;

struct Roles {
  explicit Roles(CoreContext& context)
      : acceptor(context, *this),
        proposer(context, *this),
        learner(context, *this),
        forwarding(context, *this),
        reads(context, *this),
        reconfiguration(context, *this),
        leases(context) {}
  Roles(const Roles&) = delete;
  Roles& operator=(const Roles&) = delete;

  Acceptor acceptor;
  Proposer proposer;
  Learner learner;
  Forwarding forwarding;
  QuorumReads reads;
  Reconfiguration reconfiguration;
  Leases leases;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

// Bugs a test may plant to show that the simulation suite catches them.
//
// Only the test build of the core has the switch: consensus/meson.build compiles the same
// sources a second time with PAXOSKV_PLANTED_BUGS, which adds CoreConfig::planted_bug, and
// tests/consensus links that build. In the build the node links, every check of a planted
// bug (CoreContext::planted) is false at compile time, and the code it guards is dead.
#pragma once
#include "consensus/build_variant.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

enum class PlantedBug {
  kNone,
  kAcceptorIgnoresPromise,          // accepts ballots below its promise
  kProposerIgnoresAcceptedValue,    // proposes its own value after phase 1
  kAcceptorPersistsLate,            // answers before its promise/acceptance is durable
  kReadSkipsRinse,                  // returns a quorum read before in-flight slots settle
  kTakenBackWriteIgnoresMarks,      // proposes a taken-back write its writer mark shows chosen
  kTakenBackFailureAnsweredAtOnce,  // answers a taken-back write's failed precondition at once
  kPromiseNotSynced,                // writes promises and acceptances without syncing them
  kLeadershipSurvivesRestart,       // reloads a key's leadership from an earlier life
  kPhase2SkipsOwnAcceptor,          // sends phase 2 to a majority of peers, not its own acceptor
  kAcceptorIgnoresConfiguration,    // answers messages of any configuration version
  kPromiseWhileBehind,              // promises a slot beyond the one after its applied state
  kCarryWithoutPhase1,              // counts a key as carried over without phase 1
  kChangeInOneStep,                 // a membership change goes to the new configuration at once
  kNonVoterSkipsOwnPromise,         // a proposer that is no voter does not promise its own ballot
  kChangeSkipsCarryOver,  // a membership change leaves the joint one without carrying keys
  // acceptors accept a lease's expiry without their clock check: the expiring replica's
  // clock alone decides, without the drift bound and margin
  kLeaseExpiryWithoutClockCheck,
  // acceptors (and the expiry duty) wait the bare TTL, without the drift bound and margin,
  // and date a keepalive by their last tick (the drift bound alone is under a millisecond
  // at the simulation's TTLs: the late tick is what the margin covers there)
  kLeaseExpiryWithoutMargin,
  // a phase 1 that found an expiry counts only the promisers that report it as its
  // possible holders, not the voters that did not answer
  kExpiryDiscardIgnoresUnheard,
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

// The core's part of leases (see lease.h): the acceptor's clock check on expiries, the
// keepalives it acknowledges, and the keepalive rounds this replica runs for its clients.
// Nothing here is persisted: a restart forgets every keepalive, and the start of the
// replica's life then counts as the last one.
//
// The core's clock is the time of its last tick, and a message is handled between ticks:
// a keepalive (or a grant) noted at that time would count from before it arrived, by as
// long as the replica's loop let its tick wait. So what is noted between ticks counts from
// the next tick, and until then the lease's expiry is not accepted here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "consensus/build_variant.h"
#include "consensus/lease.h"
#include "consensus/messages.h"
#include "consensus/operation.h"
#include "consensus/quorum_tally.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class CoreContext;
struct KeyState;

class Leases {
 public:
  explicit Leases(CoreContext& context);

  // Called with every tick: the first one marks the start of this life, and what was
  // noted since the last one counts from now.
  void on_clock();
  // Whether the acceptor may accept `value` for `key` now: false for a lease's expiry
  // whose wait has not passed on this replica's clock. Notes the acceptance of a grant.
  bool may_accept(const std::string& key, const KeyValue& value);
  // This replica adopted a newer configuration: until the wait has passed since then, it
  // accepts no expiry (see lease.h, membership).
  void on_configuration_adopted();
  // A lease key's applied state changed: a terminal lease needs no clock any more.
  void on_applied(const std::string& key, const KeyState& ks);

  // A keepalive of lease `lease` for a client: completes kOk once a majority acknowledged
  // it, kNotFound once a majority refused it, kNoQuorum at `deadline`.
  void keep_alive(RequestId id, LeaseId lease, TimeMs deadline);
  void on(NodeId from, KeepAlive& m);
  void on(NodeId from, KeepAliveAck& m);
  void tick();

  // When this replica last saw lease `lease` alive, on its clock: its last keepalive
  // acknowledged, its acceptance of the grant, the start of its life, or its adoption of
  // the configuration it is in.
  TimeMs last_seen(LeaseId lease) const;

 private:
  struct Round {
    RequestId id = 0;
    std::string key;
    TimeMs deadline = 0;
    TimeMs resend_at = 0;
    std::uint64_t config = 0;  // the configuration whose rule counts the answers
    QuorumTally acks;
    QuorumTally refusals;
  };

  void note_seen(LeaseId lease);
  void finish(std::map<std::uint64_t, Round>::iterator round, Outcome outcome);

  CoreContext& context_;
  std::optional<TimeMs> started_at_;
  std::optional<TimeMs> configured_at_;   // when the configuration in force was adopted
  bool configuration_unsettled_ = false;  // adopted since the last tick (see above)
  std::map<LeaseId, TimeMs> last_seen_;
  std::set<LeaseId> unsettled_;  // noted since the last tick (see above)
  std::map<std::uint64_t, Round> rounds_;
  // Round numbers start at the incarnation times 2^32: an acknowledgement of a round of an
  // earlier life (it was on its way when the replica restarted) matches no round of this
  // one.
  std::uint64_t next_round_ = 0;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

// The founding check of a replica on a new data dir.
//
// A replica whose acceptor state is lost must never vote again under its id: it could
// break a promise it made. Its peers remember every id they received protocol messages
// from, and answer each hello with whether they know the sender's id. A replica whose
// store was just created (its founding check is pending) takes no part in the protocol
// until every peer in its cluster answered or proved unreachable: if one knows its id, it
// refuses to start (its data was lost); otherwise it founds the cluster (or joins one
// that never heard of it) and records that the check passed.
//
// An unreachable peer cannot object, so the check protects only as far as the replicas
// that knew the id are reachable when the replacement starts.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "consensus/types.h"
#include "src/transport/transport.h"

namespace paxoskv {

// How long the check waits for a connection: a peer not connected by then (a lost
// network) counts as unreachable. A peer that accepted the connection is reachable (a
// paused process is: its kernel accepts) and is waited for without limit, until it
// answers or the connection breaks: founding while a paused peer that knows the id
// resumes later would lose what it and this id had chosen.
inline constexpr std::chrono::milliseconds kFoundingCheckLimit{3000};

struct FoundingVerdict {
  enum class Kind {
    kWaiting,  // some peer has not answered yet
    kFound,    // no peer knows this id: take part
    kRefuse,   // a peer knows this id as having served: its data was lost
  };
  Kind kind = Kind::kWaiting;
  std::vector<consensus::NodeId> knowing;      // peers that know this id
  std::vector<consensus::NodeId> unreachable;  // peers that could not answer
};

// Judges the peers' answers so far; `timed_out`: the wait for connections is over, a
// peer still not connected is unreachable (one connected and awaiting an answer is not). A single
// peer that knows this id is enough to refuse, at once.
FoundingVerdict judge_founding(const std::map<consensus::NodeId, HelloAnswer>& answers,
                               bool timed_out);

// The log line of a refused start: what happened and how to replace the replica.
std::string lost_data_message(consensus::NodeId self, const std::string& data_dir,
                              const std::vector<consensus::NodeId>& knowing);

}  // namespace paxoskv

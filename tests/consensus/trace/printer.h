// Text forms of what the consensus core takes in and gives out, one line each and
// compact: messages ("1->2 Prepare k=a slot=3 ballot=2.1 life=1"), persist records,
// completions, and Ready batches (a header line, then one indented line per record,
// message and completion). For scenario traces and simulation replays.
#pragma once

#include <string>

#include "consensus/core.h"

namespace paxoskv::trace {

// "2.1": round 2 of replica 1.
std::string describe(const consensus::Ballot& ballot);
// "1:1.3": replica 1's write 3 of its life 1 (see CoreConfig::incarnation).
std::string describe(const consensus::OpId& op);
// "\"x\"" (quoted, escaped), or "absent".
std::string describe(const consensus::KeyValue& value);
std::string describe(consensus::Outcome outcome);

// The message's alternative: "Prepare", "ForwardReply", ...
std::string kind_name(const consensus::Message& message);
// "Prepare k=a slot=3 ballot=2.1 life=1".
std::string describe(const consensus::Message& message);
// "1->2 Prepare k=a slot=3 ballot=2.1 life=1".
std::string describe(consensus::NodeId from, consensus::NodeId to,
                     const consensus::Message& message);

// "promised=2.1 promised_life=1 accepted=(slot=3 ballot=2.1 value=\"x\" op=1:1.3)"; led
// and lives only when set.
std::string describe(const consensus::AcceptorRecord& acceptor);
// "v3 \"x\" writers=[1:1.3@3]".
std::string describe(const consensus::AppliedRecord& applied);

// "k=a promised=2.1 accepted=(slot=3 ballot=2.1 value=\"x\" op=1:1.3)".
std::string describe(const consensus::PersistRecord& record);
// "req=4 ok v=3 value=\"x\"".
std::string describe(const consensus::Completion& completion);
// The Ready replica `node` took:
//   2 Ready #1 sync
//     persist k=a promised=1.1 promised_life=1
//     send 2->1 Promise k=a slot=1 ballot=1.1
//     complete req=1 ok v=1
std::string describe(consensus::NodeId node, const consensus::Ready& ready);

}  // namespace paxoskv::trace

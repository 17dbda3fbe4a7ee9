// The messages replicas exchange. Their wire form is the transport's business
// (src/transport/wire_codec.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/records.h"
#include "consensus/types.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

// Phase 1a: ask for a promise not to accept ballots below `ballot` for slots >= `slot`.
// Proposer messages carry the proposer's life number (CoreConfig::incarnation): a write
// handed to it names the life it was handed to (see ForwardWithdraw).
//
// The messages an acceptor answers (Prepare, Accept, ReadQuery) carry the version of the
// configuration under whose quorums the sender counts the answers (see configuration.h):
// an acceptor answers only a message of the configuration it knows.
struct Prepare {
  std::string key;
  Slot slot = 0;
  Ballot ballot;
  std::uint64_t incarnation = 0;
  std::uint64_t config = 0;
};

// Phase 1b: the promise, with the acceptor's accepted proposal for `slot` if it has one.
struct Promise {
  std::string key;
  Slot slot = 0;
  Ballot ballot;
  std::optional<AcceptedProposal> accepted;
};

// A prepare or accept refused because of a higher promise, carried so the proposer can
// jump past it instead of guessing.
struct Reject {
  std::string key;
  Slot slot = 0;
  Ballot ballot;
  Ballot promised;
};

// Phase 2a: the value of client write `op`.
struct Accept {
  std::string key;
  Slot slot = 0;
  Ballot ballot;
  KeyValue value;
  OpId op;
  std::uint64_t incarnation = 0;
  std::uint64_t config = 0;
  std::uint64_t lease = 0;  // as AcceptedProposal::lease
};

// Phase 2b.
struct Accepted {
  std::string key;
  Slot slot = 0;
  Ballot ballot;
};

// The proposal (slot, ballot) was chosen: acceptors that accepted it apply it; others
// ask for the state with a CatchUpRequest.
struct Commit {
  std::string key;
  Slot slot = 0;
  Ballot ballot;
  std::uint64_t incarnation = 0;
};

// "I know the key up to version `have`; send me anything newer."
struct CatchUpRequest {
  std::string key;
  Version have = 0;
};

// A chosen state of a key. Also the answer to a Prepare/Accept for a slot that the
// acceptor already knows to be chosen.
struct CatchUpReply {
  std::string key;
  Version version = 0;
  KeyValue value;
  WriterMarks writers;      // as in AppliedRecord
  std::uint64_t lease = 0;  // as in AppliedRecord
};

// Quorum read, round 1: what have you applied and accepted for `key`?
struct ReadQuery {
  std::string key;
  std::uint64_t read_id = 0;
  Version have = 0;
  std::uint64_t config = 0;
};

struct ReadReply {
  std::string key;
  std::uint64_t read_id = 0;
  Version version = 0;
  // The applied state, sent only when `version` is above the asker's `have`.
  std::optional<KeyValue> state;
  WriterMarks writers;  // of the applied state, sent with it
  // The open slot this acceptor accepted a proposal for, 0 if none.
  Slot accepted_slot = 0;
  std::uint64_t lease = 0;  // of the applied state, sent with it
};

// A write handed to the replica that leads the key (the last one seen to propose it), so
// that replicas do not duel over a busy key. The leader proposes it under its id
// OpId{sender, seq} and answers with ForwardReply; it never forwards it further. The
// sender may stop waiting and propose it itself: the id keeps it from being applied twice.
struct ForwardRequest {
  std::string key;
  std::uint64_t seq = 0;
  bool remove = false;  // delete; else put `value`
  std::string value;
  std::optional<Version> expected;  // compare-and-set
  std::uint32_t timeout_ms = 0;     // time left to the client's deadline
  std::uint64_t lease = 0;          // a put's lease (see PutOp)
};

struct ForwardReply {
  std::string key;
  std::uint64_t seq = 0;
  std::uint8_t outcome = 0;  // consensus::Outcome
  Version version = 0;
  KeyValue value;
  std::uint64_t incarnation = 0;  // the answering replica's life
};

// The sender took back its write `seq` (see ForwardRequest) and asks the replica it had
// handed it to never to propose it. That replica answers ForwardWithdrawn if it never
// will (it had not proposed it, or never got it: a late copy is then dropped), else the
// write's ForwardReply once it is done. "Never got it" is only known to the life the
// write was handed to, `incarnation` (0: not known); another life answers ForwardReply
// with outcome kUnknown, since its predecessor may have proposed it. A write it no
// longer remembers is answered from the writer marks: kOk if the sender's mark is this
// write, kUnknown if it is a later one.
struct ForwardWithdraw {
  std::string key;
  std::uint64_t seq = 0;
  std::uint64_t incarnation = 0;
};

struct ForwardWithdrawn {
  std::string key;
  std::uint64_t seq = 0;
};

// A lease's keepalive (see lease.h): `key` is the lease key. The receiver, if in the
// same configuration, notes the time on its own clock and answers KeepAliveAck, refusing
// (ok false) if it accepted or applied a terminal state of the lease.
struct KeepAlive {
  std::string key;
  std::uint64_t request = 0;
  // The sender's configuration: acknowledged only by an acceptor in the same one (see
  // lease.h, membership), which otherwise helps the sender catch up as for a Prepare.
  std::uint64_t config = 0;
};

struct KeepAliveAck {
  std::string key;
  std::uint64_t request = 0;
  bool ok = false;
};

using Message = std::variant<Prepare, Promise, Reject, Accept, Accepted, Commit, CatchUpRequest,
                             CatchUpReply, ReadQuery, ReadReply, ForwardRequest, ForwardReply,
                             ForwardWithdraw, ForwardWithdrawn, KeepAlive, KeepAliveAck>;

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

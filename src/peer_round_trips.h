// Round trips between this replica and each peer, for /metrics
// (paxoskv_peer_round_trip_seconds): the time from sending a peer a request it answers
// until its answer arrives. The requests are the ones whose answer names them, so that
// no wire change is needed: a prepare (answered by a promise), an accept (accepted), a
// quorum read (its reply) and a lease keepalive (its ack); a reject answers the prepare
// or accept of its ballot. A round trip so includes the peer's handling: for a prepare or
// an accept, its synced write. A request sent twice to a peer before its answer came
// counts no round trip (the answer could be to either); one unanswered after
// kAnswerWithin is forgotten. Runs on the replica's thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "consensus/messages.h"
#include "consensus/types.h"
#include "kvstore/latency_histogram.h"

namespace paxoskv {

class PeerRoundTrips {
 public:
  using Clock = std::chrono::steady_clock;

  // A request unanswered this long is taken as lost: a later answer counts nothing.
  static constexpr std::chrono::seconds kAnswerWithin{10};
  // At most this many requests a peer awaits an answer to are remembered; more go unmeasured.
  static constexpr std::size_t kMaxAwaited = 4096;

  // `message` went to `to` at `at`.
  void sent(consensus::NodeId to, const consensus::Message& message, Clock::time_point at);
  // `message` came from `from` at `at`.
  void received(consensus::NodeId from, const consensus::Message& message, Clock::time_point at);

  // The round trips measured so far, by peer (peers measured at least once).
  std::map<consensus::NodeId, kvstore::LatencyCounts> counts() const;
  // The requests to `peer` still awaiting an answer.
  std::size_t awaited(consensus::NodeId peer) const;

 private:
  // What names a request and its answer: the kind of request, the key, and the slot and
  // ballot (a prepare or an accept) or the id (a quorum read or a keepalive).
  struct Request {
    enum class Kind : std::uint8_t { kPrepare, kAccept, kRead, kKeepAlive };
    Kind kind = Kind::kPrepare;
    std::string key;
    std::uint64_t number = 0;  // the slot, read id or keepalive request
    consensus::Ballot ballot;  // zero for a read or keepalive

    friend auto operator<=>(const Request&, const Request&) = default;
  };
  struct Awaited {
    Clock::time_point sent_at;
    bool sent_again = false;  // the answer could be to either copy: not measured
  };
  struct Peer {
    std::map<Request, Awaited> awaited;
    // The requests in the order sent, to forget those unanswered for too long.
    std::deque<std::pair<Clock::time_point, Request>> order;
    kvstore::LatencyHistogram histogram;
  };

  void await(Peer& peer, Request request, Clock::time_point at);
  // The answer to `request` came: a round trip, unless it was sent twice. False if no such
  // request was awaited.
  bool answered(Peer& peer, const Request& request, Clock::time_point at);
  // Forgets what waited longer than kAnswerWithin, and what was answered, at the front.
  static void forget_old(Peer& peer, Clock::time_point now);

  std::map<consensus::NodeId, Peer> peers_;
};

}  // namespace paxoskv

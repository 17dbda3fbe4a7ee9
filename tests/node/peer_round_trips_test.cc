// Round trips to peers (paxoskv_peer_round_trip_seconds): requests matched to their
// answers by the ids the messages carry.
#include "src/peer_round_trips.h"

#include <catch2/catch.hpp>
#include <chrono>

namespace paxoskv::node_test {

namespace {

using namespace std::chrono_literals;
using consensus::Ballot;
using Clock = PeerRoundTrips::Clock;

const Clock::time_point t0 = Clock::time_point() + 1h;

kvstore::LatencyCounts counts_of(const PeerRoundTrips& trips, consensus::NodeId peer) {
  const auto all = trips.counts();
  const auto found = all.find(peer);
  return found == all.end() ? kvstore::LatencyCounts{} : found->second;
}

}  // namespace

TEST_CASE("round trips: each kind of request is matched to its answer", "[node][round-trip]") {
  PeerRoundTrips trips;
  const Ballot ballot{4, 1};
  trips.sent(2, consensus::Prepare{"k", 7, ballot, 1, 0}, t0);
  trips.sent(2, consensus::Accept{"k", 7, ballot, {}, {}, 1, 0, 0}, t0 + 1ms);
  trips.sent(3, consensus::ReadQuery{"r", 99, 0, 0}, t0);
  trips.sent(3, consensus::KeepAlive{"lease", 5, 0}, t0);
  trips.sent(3, consensus::Commit{"k", 7, ballot, 1}, t0);  // answered by nothing
  CHECK(trips.awaited(2) == 2);
  CHECK(trips.awaited(3) == 2);

  trips.received(2, consensus::Promise{"k", 7, ballot, {}}, t0 + 2ms);  // 2 ms
  trips.received(2, consensus::Accepted{"k", 7, ballot}, t0 + 4ms);     // 3 ms
  trips.received(3, consensus::ReadReply{"r", 99, 0, {}, {}, 0, 0}, t0 + 300us);
  trips.received(3, consensus::KeepAliveAck{"lease", 5, true}, t0 + 20ms);
  CHECK(trips.awaited(2) == 0);
  CHECK(trips.awaited(3) == 0);

  const kvstore::LatencyCounts to_2 = counts_of(trips, 2);
  CHECK(to_2.total() == 2);
  CHECK(to_2.sum_micros == 5'000);
  CHECK(to_2.counts[5] == 1);  // 2 ms: above 1 ms, up to 2.5 ms
  CHECK(to_2.counts[6] == 1);  // 3 ms: up to 5 ms
  const kvstore::LatencyCounts to_3 = counts_of(trips, 3);
  CHECK(to_3.total() == 2);
  CHECK(to_3.sum_micros == 20'300);
}

TEST_CASE("round trips: an answer counts only from the peer asked, only once",
          "[node][round-trip]") {
  PeerRoundTrips trips;
  const Ballot ballot{1, 1};
  trips.sent(2, consensus::Prepare{"k", 1, ballot, 1, 0}, t0);
  trips.received(3, consensus::Promise{"k", 1, ballot, {}}, t0 + 1ms);        // not asked
  trips.received(2, consensus::Promise{"k", 1, Ballot{2, 1}, {}}, t0 + 1ms);  // other ballot
  trips.received(2, consensus::Accepted{"k", 1, ballot}, t0 + 1ms);           // other kind
  CHECK(counts_of(trips, 2).total() == 0);
  CHECK(counts_of(trips, 3).total() == 0);
  trips.received(2, consensus::Promise{"k", 1, ballot, {}}, t0 + 1ms);
  trips.received(2, consensus::Promise{"k", 1, ballot, {}}, t0 + 2ms);  // a duplicate
  CHECK(counts_of(trips, 2).total() == 1);
  CHECK(counts_of(trips, 2).sum_micros == 1'000);
}

TEST_CASE("round trips: a reject answers the prepare or the accept of its ballot",
          "[node][round-trip]") {
  PeerRoundTrips trips;
  const Ballot ballot{1, 1};
  trips.sent(2, consensus::Accept{"k", 1, ballot, {}, {}, 1, 0, 0}, t0);
  trips.received(2, consensus::Reject{"k", 1, ballot, Ballot{5, 3}}, t0 + 2ms);
  CHECK(counts_of(trips, 2).total() == 1);
  // Both await an answer: which one the reject answers is unknown.
  trips.sent(2, consensus::Prepare{"k", 2, ballot, 1, 0}, t0);
  trips.sent(2, consensus::Accept{"k", 2, ballot, {}, {}, 1, 0, 0}, t0);
  trips.received(2, consensus::Reject{"k", 2, ballot, Ballot{5, 3}}, t0 + 2ms);
  CHECK(counts_of(trips, 2).total() == 1);
  CHECK(trips.awaited(2) == 0);
}

TEST_CASE("round trips: a request sent twice before its answer is not measured",
          "[node][round-trip]") {
  PeerRoundTrips trips;
  trips.sent(2, consensus::ReadQuery{"r", 1, 0, 0}, t0);
  trips.sent(2, consensus::ReadQuery{"r", 1, 0, 0}, t0 + 500ms);  // a retry
  trips.received(2, consensus::ReadReply{"r", 1, 0, {}, {}, 0, 0}, t0 + 501ms);
  CHECK(counts_of(trips, 2).total() == 0);
  CHECK(trips.awaited(2) == 0);
  // Sent again after its answer: a new round trip.
  trips.sent(2, consensus::ReadQuery{"r", 1, 0, 0}, t0 + 600ms);
  trips.received(2, consensus::ReadReply{"r", 1, 0, {}, {}, 0, 0}, t0 + 601ms);
  CHECK(counts_of(trips, 2).total() == 1);
  CHECK(counts_of(trips, 2).sum_micros == 1'000);
}

TEST_CASE("round trips: unanswered requests are forgotten, and bounded", "[node][round-trip]") {
  PeerRoundTrips trips;
  trips.sent(2, consensus::ReadQuery{"lost", 1, 0, 0}, t0);
  trips.sent(2, consensus::ReadQuery{"r", 2, 0, 0}, t0 + PeerRoundTrips::kAnswerWithin + 1ms);
  CHECK(trips.awaited(2) == 1);  // the lost one went
  trips.received(2, consensus::ReadReply{"lost", 1, 0, {}, {}, 0, 0}, t0 + 11s);
  CHECK(counts_of(trips, 2).total() == 0);  // too late to count

  PeerRoundTrips bounded;
  for (std::uint64_t id = 0; id < PeerRoundTrips::kMaxAwaited + 100; ++id) {
    bounded.sent(3, consensus::ReadQuery{"r", id, 0, 0}, t0);
  }
  CHECK(bounded.awaited(3) == PeerRoundTrips::kMaxAwaited);
  // Answered ones make room (and the order of requests sent stays bounded).
  for (std::uint64_t id = 0; id < 10; ++id) {
    bounded.received(3, consensus::ReadReply{"r", id, 0, {}, {}, 0, 0}, t0 + 1ms);
  }
  CHECK(counts_of(bounded, 3).total() == 10);
  for (std::uint64_t id = 0; id < 100'000; ++id) {
    bounded.sent(3, consensus::ReadQuery{"s", id, 0, 0}, t0 + 2ms);
    bounded.received(3, consensus::ReadReply{"s", id, 0, {}, {}, 0, 0}, t0 + 3ms);
  }
  CHECK(bounded.awaited(3) <= PeerRoundTrips::kMaxAwaited);
}

}  // namespace paxoskv::node_test

// Scripted scenarios, message by message.
#include <catch2/catch.hpp>

#include "consensus/operation_eval.h"
#include "tests/consensus/scripted_cluster.h"

namespace paxoskv::sim {

using consensus::Accept;
using consensus::Outcome;
using consensus::Prepare;
using consensus::Promise;
using consensus::PutOp;
using consensus::Reject;

namespace {

auto from_to(consensus::NodeId from, consensus::NodeId to) {
  return [=](const Envelope& e) { return e.from == from && e.to == to; };
}

template <typename T>
auto kind_from_to(consensus::NodeId from, consensus::NodeId to) {
  return [=](const Envelope& e) { return is<T>(e) && e.from == from && e.to == to; };
}

consensus::Operation put(std::string value) {
  return PutOp{std::move(value), std::nullopt};
}

}  // namespace

TEST_CASE(
    "the seed's example: the first proposer to win a majority is chosen, the other adopts it") {
  ScriptedCluster cluster(3);
  cluster.submit(1, 1, "k", put("x"));
  // Proposer 1's prepare reaches acceptor 2 (acceptor 1 is itself): a majority.
  cluster.deliver(kind_from_to<Prepare>(1, 2));
  cluster.deliver(kind_from_to<Promise>(2, 1));
  // Its accept reaches acceptor 3 only (and itself): chosen.
  cluster.deliver(kind_from_to<Accept>(1, 3));
  cluster.deliver(from_to(3, 1));
  REQUIRE(cluster.completion(1));
  CHECK(cluster.completion(1)->outcome == Outcome::kOk);
  CHECK(cluster.completion(1)->version == 1);

  // Proposer 2, which never heard of x, proposes y with a higher ballot. Acceptor 3
  // accepted x: proposer 2 must carry x in slot 1, and y only in slot 2.
  cluster.drop([](const Envelope& e) { return e.to == 2 && e.from == 1; });
  cluster.submit(2, 2, "k", put("y"));
  cluster.deliver(kind_from_to<Prepare>(2, 3));
  cluster.deliver(kind_from_to<Promise>(3, 2));
  const auto accepts = cluster.queued(kind_from_to<Accept>(2, 3));
  REQUIRE(accepts.size() == 1);
  const auto& accept = std::get<Accept>(accepts.front().message);
  CHECK(accept.slot == 1);
  CHECK(accept.value == consensus::KeyValue("x"));

  cluster.deliver_all();
  REQUIRE(cluster.completion(2));
  CHECK(cluster.completion(2)->outcome == Outcome::kOk);
  CHECK(cluster.completion(2)->version == 2);
  CHECK(cluster.chosen("k", 1) == consensus::KeyValue("x"));
  CHECK(cluster.chosen("k", 2) == consensus::KeyValue("y"));
}

TEST_CASE("a value accepted by a minority is recovered by a new proposer that sees it") {
  ScriptedCluster cluster(3);
  cluster.submit(1, 1, "k", put("x"));
  cluster.deliver(kind_from_to<Prepare>(1, 2));
  cluster.deliver(kind_from_to<Promise>(2, 1));
  // Only acceptor 1 (the proposer itself) accepts x; then the proposer crashes.
  cluster.crash(1);
  CHECK(cluster.acceptor(1, "k").accepted.has_value());
  cluster.start(1);

  cluster.submit(2, 2, "k", put("y"));
  cluster.deliver(kind_from_to<Prepare>(2, 1));
  cluster.deliver(kind_from_to<Promise>(1, 2));
  cluster.deliver_all();
  CHECK(cluster.chosen("k", 1) == consensus::KeyValue("x"));
  CHECK(cluster.chosen("k", 2) == consensus::KeyValue("y"));
  REQUIRE(cluster.completion(2));
  CHECK(cluster.completion(2)->version == 2);
}

TEST_CASE("a value accepted by a minority that phase 1 does not see may lose, and never returns") {
  ScriptedCluster cluster(3);
  cluster.submit(1, 1, "k", put("x"));
  cluster.deliver(kind_from_to<Prepare>(1, 2));
  cluster.deliver(kind_from_to<Promise>(2, 1));
  cluster.crash(1);  // x accepted by acceptor 1 alone

  cluster.submit(2, 2, "k", put("y"));
  cluster.deliver(kind_from_to<Prepare>(2, 3));
  cluster.deliver(kind_from_to<Promise>(3, 2));
  cluster.deliver_all();
  CHECK(cluster.chosen("k", 1) == consensus::KeyValue("y"));

  cluster.start(1);
  cluster.submit(1, 3, "k", consensus::ReadOp{});
  cluster.deliver_all();
  REQUIRE(cluster.completion(3));
  CHECK(cluster.completion(3)->value == consensus::KeyValue("y"));
  CHECK(cluster.completion(3)->version == 1);
  // The stale accepted x was never chosen anywhere.
  cluster.advance(2000);
  cluster.deliver_all();
  CHECK(cluster.chosen("k", 1) == consensus::KeyValue("y"));
  CHECK(cluster.applied(1, "k").value == consensus::KeyValue("y"));
}

TEST_CASE("a proposer crashing between phases leaves the key free for others") {
  ScriptedCluster cluster(3);
  cluster.submit(1, 1, "k", put("x"));
  cluster.deliver(kind_from_to<Prepare>(1, 2));
  cluster.deliver(kind_from_to<Prepare>(1, 3));
  cluster.deliver(kind_from_to<Promise>(2, 1));
  cluster.crash(1);  // its accepts never leave

  cluster.submit(2, 2, "k", put("y"));
  cluster.deliver_all();
  REQUIRE(cluster.completion(2));
  CHECK(cluster.completion(2)->outcome == Outcome::kOk);
  CHECK(cluster.completion(2)->version == 1);
  CHECK_FALSE(cluster.completion(1));
}

TEST_CASE("an acceptor keeps its promise across a restart") {
  ScriptedCluster cluster(3);
  cluster.submit(2, 1, "k", put("from-2"));
  cluster.deliver(kind_from_to<Prepare>(2, 3));
  const consensus::Ballot promised = cluster.acceptor(3, "k").promised;
  CHECK(promised.node == 2);
  cluster.crash(3);
  cluster.start(3);
  CHECK(cluster.acceptor(3, "k").promised == promised);

  // Proposer 1 has seen nothing: its first ballot is below the promise.
  cluster.drop([](const Envelope&) { return true; });
  cluster.submit(1, 2, "k", put("from-1"));
  cluster.deliver(kind_from_to<Prepare>(1, 3));
  const auto rejects = cluster.queued(kind_from_to<Reject>(3, 1));
  REQUIRE(rejects.size() == 1);
  CHECK(std::get<Reject>(rejects.front().message).promised == promised);
}

TEST_CASE("a proposer told of a higher promise jumps past it") {
  ScriptedCluster cluster(3);
  cluster.submit(2, 1, "k", put("a"));
  cluster.deliver(kind_from_to<Prepare>(2, 3));
  cluster.drop([](const Envelope&) { return true; });
  cluster.submit(1, 2, "k", put("b"));
  cluster.drop(kind_from_to<Prepare>(1, 2));
  cluster.deliver(kind_from_to<Prepare>(1, 3));
  cluster.deliver(kind_from_to<Reject>(3, 1));
  cluster.advance(300);  // backoff passes, proposer 1 retries
  const auto prepares = cluster.queued(kind_from_to<Prepare>(1, 3));
  REQUIRE_FALSE(prepares.empty());
  CHECK(std::get<Prepare>(prepares.back().message).ballot > cluster.acceptor(3, "k").promised);
}

TEST_CASE("put, compare-and-set and delete follow the versioning rules") {
  ScriptedCluster cluster(3);
  consensus::RequestId id = 0;
  auto run = [&](consensus::NodeId at, consensus::Operation op) {
    cluster.submit(at, ++id, "k", std::move(op));
    cluster.deliver_all();
    REQUIRE(cluster.completion(id));
    return *cluster.completion(id);
  };
  using consensus::DeleteOp;
  using consensus::ReadOp;
  CHECK(run(1, ReadOp{}).outcome == Outcome::kNotFound);
  CHECK(run(1, DeleteOp{}).outcome == Outcome::kNotFound);
  CHECK(run(1, put("a")).version == 1);
  CHECK(run(2, PutOp{"b", 1}).version == 2);
  const auto conflict = run(3, PutOp{"c", 1});
  CHECK(conflict.outcome == Outcome::kConflict);
  CHECK(conflict.version == 2);
  CHECK(run(3, PutOp{"c", 0}).outcome == Outcome::kConflict);
  CHECK(run(1, DeleteOp{1}).outcome == Outcome::kConflict);
  CHECK(run(1, DeleteOp{2}).version == 3);
  const auto absent = run(2, ReadOp{});
  CHECK(absent.outcome == Outcome::kNotFound);
  CHECK(absent.version == 3);
  const auto again = run(3, DeleteOp{});
  CHECK(again.outcome == Outcome::kNotFound);
  CHECK(again.version == 3);
  CHECK(run(3, PutOp{"d", 3}).outcome == Outcome::kConflict);  // absent, not at 3
  CHECK(run(3, PutOp{"d", 0}).version == 4);
  const auto read = run(1, ReadOp{});
  CHECK(read.outcome == Outcome::kOk);
  CHECK(read.version == 4);
  CHECK(read.value == consensus::KeyValue("d"));
}

TEST_CASE("a read waits for a slot accepted but not yet committed") {
  ScriptedCluster cluster(3);
  cluster.submit(1, 1, "k", put("x"));
  cluster.deliver(kind_from_to<Prepare>(1, 2));
  cluster.deliver(kind_from_to<Promise>(2, 1));
  cluster.deliver(kind_from_to<Accept>(1, 2));
  cluster.deliver(kind_from_to<consensus::Accepted>(2, 1));
  REQUIRE(cluster.completion(1));  // x chosen at slot 1, commit not yet sent out
  cluster.drop([](const Envelope& e) { return is<consensus::Commit>(e); });

  // Replica 3 reads through replicas 2 and 3: replica 2 accepted slot 1 but has not
  // applied it; the read must not answer "not found".
  cluster.submit(3, 2, "k", consensus::ReadOp{});
  cluster.drop([](const Envelope& e) { return e.to == 1 || e.from == 1; });
  cluster.deliver_all();
  CHECK_FALSE(cluster.completion(2));
  cluster.advance(30);
  cluster.advance(30);
  cluster.advance(30);
  cluster.advance(30);
  for (int i = 0; i < 20 && !cluster.completion(2); ++i) {
    cluster.deliver_all();
    cluster.advance(30);
  }
  REQUIRE(cluster.completion(2));
  CHECK(cluster.completion(2)->outcome == Outcome::kOk);
  CHECK(cluster.completion(2)->value == consensus::KeyValue("x"));
}

}  // namespace paxoskv::sim

namespace paxoskv::sim {

TEST_CASE("a write handed to a leader that hangs is taken back, and applied once") {
  ScriptedCluster cluster(3);
  // Replica 3 leads the key.
  cluster.submit(3, 1, "k", put("x"));
  cluster.deliver_all();
  REQUIRE(cluster.completion(1));

  // A write at replica 1 goes to the leader, which now hangs: nothing reaches it.
  cluster.submit(1, 2, "k", put("w"));
  const auto forwarded = cluster.queued(kind_from_to<consensus::ForwardRequest>(1, 3));
  REQUIRE(forwarded.size() == 1);
  const auto to_or_from_3 = [](const Envelope& e) { return e.to == 3 || e.from == 3; };
  const auto not_3 = [&](const Envelope& e) { return !to_or_from_3(e); };
  cluster.advance(100);
  cluster.deliver(not_3);
  CHECK_FALSE(cluster.completion(2));  // still waiting for the leader

  // No sign of life for the retry timeout: replica 1 proposes it itself, with replica 2.
  cluster.advance(150);
  cluster.deliver(not_3);
  REQUIRE(cluster.completion(2));
  CHECK(cluster.completion(2)->outcome == Outcome::kOk);
  CHECK(cluster.completion(2)->version == 2);

  // The leader wakes up and finds the write in its queue: it must see that the write
  // was chosen already, not propose it again.
  cluster.deliver_all();
  cluster.advance(300);
  cluster.deliver_all();
  CHECK(cluster.chosen("k", 2) == consensus::KeyValue("w"));
  CHECK_FALSE(cluster.chosen("k", 3));
  CHECK(cluster.applied(3, "k").version == 2);
}

TEST_CASE(
    "a forwarded write that fails its precondition after being taken back waits for "
    "the leader's answer") {
  ScriptedCluster cluster(3);
  cluster.submit(3, 1, "k", put("x"));
  cluster.deliver_all();
  // A compare-and-set expecting a version the key does not have, handed to replica 3,
  // which hangs.
  cluster.submit(1, 2, "k", PutOp{"cas", 5});
  REQUIRE(cluster.queued(kind_from_to<consensus::ForwardRequest>(1, 3)).size() == 1);
  const auto to_or_from_3 = [](const Envelope& e) { return e.to == 3 || e.from == 3; };
  const auto not_3 = [&](const Envelope& e) { return !to_or_from_3(e); };
  cluster.advance(250);  // replica 1 takes it back and runs phase 1 with replica 2
  cluster.deliver(not_3);

  // Replica 1 took its write back, and finds it fails at version 1. Replica 3 may still
  // hold it: "conflict" could be a lie, so the answer waits for replica 3's.
  cluster.advance(10);
  cluster.deliver(not_3);
  CHECK_FALSE(cluster.completion(2));
  cluster.deliver_all();
  cluster.advance(10);
  cluster.deliver_all();
  REQUIRE(cluster.completion(2));
  CHECK(cluster.completion(2)->outcome == Outcome::kConflict);
  CHECK_FALSE(cluster.chosen("k", 2));
}

}  // namespace paxoskv::sim

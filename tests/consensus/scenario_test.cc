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

// Replica 1 writes x to "k" (request 1) through both phases: it then leads the key.
void lead_k_from_1(ScriptedCluster& cluster) {
  cluster.submit(1, 1, "k", put("x"));
  cluster.deliver_all();
  REQUIRE(cluster.completion(1));
}

}  // namespace

TEST_CASE(
    "the seed's example: the first proposer to win a majority is chosen, the other adopts it") {
  ScriptedCluster cluster(3);
  cluster.submit(1, 1, "k", put("x"));
  // Proposer 1's prepare reaches acceptor 2 (acceptor 1 is itself): a majority.
  cluster.deliver(kind_from_to<Prepare>(1, 2));
  cluster.deliver(kind_from_to<Promise>(2, 1));
  // Its accept goes to acceptor 2 only (and itself), which answered: chosen.
  REQUIRE(cluster.queued(kind_from_to<Accept>(1, 3)).empty());
  cluster.deliver(kind_from_to<Accept>(1, 2));
  cluster.deliver(from_to(2, 1));
  REQUIRE(cluster.completion(1));
  CHECK(cluster.completion(1)->outcome == Outcome::kOk);
  CHECK(cluster.completion(1)->version == 1);

  // Proposer 3, which never heard of x, proposes y with a higher ballot. Acceptor 2
  // accepted x: proposer 3 must carry x in slot 1, and y only in slot 2.
  cluster.drop([](const Envelope& e) { return e.to == 3 && e.from == 1; });
  cluster.submit(3, 2, "k", put("y"));
  cluster.deliver(kind_from_to<Prepare>(3, 2));
  cluster.deliver(kind_from_to<Promise>(2, 3));
  const auto accepts = cluster.queued(kind_from_to<Accept>(3, 2));
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

TEST_CASE("phase 2 asks one peer; the other replica is sent the chosen state") {
  ScriptedCluster cluster(3);
  lead_k_from_1(cluster);

  for (consensus::RequestId id = 2; id <= 5; ++id) {
    cluster.submit(1, id, "k", put("v" + std::to_string(id)));
    const auto accepts = cluster.queued([](const Envelope& e) { return is<Accept>(e); });
    REQUIRE(accepts.size() == 1);  // to one peer: with replica 1's own acceptor, a majority
    const consensus::NodeId asked = accepts.front().to;
    const consensus::NodeId other = asked == 2 ? 3 : 2;
    cluster.deliver(kind_from_to<Accept>(1, asked));
    cluster.deliver(kind_from_to<consensus::Accepted>(asked, 1));
    REQUIRE(cluster.completion(id));
    CHECK(cluster.completion(id)->version == id);
    CHECK(cluster.queued(kind_from_to<consensus::Commit>(1, asked)).size() == 1);
    const auto sent = cluster.queued(kind_from_to<consensus::CatchUpReply>(1, other));
    REQUIRE(sent.size() == 1);
    CHECK(std::get<consensus::CatchUpReply>(sent.front().message).version == id);
    cluster.deliver_all();
    CHECK(cluster.applied(2, "k").version == id);
    CHECK(cluster.applied(3, "k").version == id);
  }
  // Turns: both peers were asked.
  CHECK(cluster.acceptor(2, "k").promised == cluster.acceptor(3, "k").promised);
}

TEST_CASE("phase 2 asks everyone once the asked peer is late, and passes over a silent peer") {
  ScriptedCluster cluster(3);
  lead_k_from_1(cluster);

  // Replica 2 hangs: nothing reaches it, nothing comes from it.
  const auto not_2 = [](const Envelope& e) { return e.to != 2 && e.from != 2; };
  const auto to_2 = [](const Envelope& e) { return e.to == 2; };
  consensus::RequestId id = 1;
  bool spread_seen = false;
  for (int write = 0; write < 4; ++write) {
    cluster.submit(1, ++id, "k", put("w" + std::to_string(write)));
    cluster.deliver(not_2);
    if (!cluster.completion(id)) {
      // It asked replica 2: 30 ms later it asks replica 3 too.
      cluster.advance(20);
      CHECK(cluster.queued(kind_from_to<Accept>(1, 3)).empty());
      cluster.advance(20);
      REQUIRE(cluster.queued(kind_from_to<Accept>(1, 3)).size() == 1);
      spread_seen = true;
      cluster.deliver(not_2);
    }
    REQUIRE(cluster.completion(id));
    CHECK(cluster.completion(id)->outcome == Outcome::kOk);
  }
  CHECK(spread_seen);
  // Replica 2 now owes an answer for more than 100 ms: it is not asked any more.
  cluster.advance(100);
  for (int write = 0; write < 4; ++write) {
    cluster.drop(to_2);
    cluster.submit(1, ++id, "k", put("later" + std::to_string(write)));
    CHECK(cluster.queued(kind_from_to<Accept>(1, 2)).empty());
    cluster.deliver(not_2);
    REQUIRE(cluster.completion(id));
  }
  // When it comes back it learns the latest state.
  cluster.deliver_all();
  cluster.advance(10);
  cluster.deliver_all();
  CHECK(cluster.applied(2, "k").version == cluster.applied(1, "k").version);
}

TEST_CASE("a peer that we cannot reach but that talks to us is passed over after one late accept") {
  ScriptedCluster cluster(3);
  lead_k_from_1(cluster);

  // Nothing from replica 1 reaches replica 2, but replica 2 keeps talking to replica 1 (it
  // reads another key), which clears what it owes.
  const auto from_1_to_2 = [](const Envelope& e) { return e.from == 1 && e.to == 2; };
  const auto not_1_to_2 = [](const Envelope& e) { return !(e.from == 1 && e.to == 2); };
  consensus::RequestId id = 100;
  int accepts_to_2 = 0;
  for (int write = 0; write < 10; ++write) {
    cluster.submit(2, ++id, "other", consensus::ReadOp{});
    cluster.deliver(not_1_to_2);
    cluster.drop(from_1_to_2);
    cluster.submit(1, ++id, "k", put("w" + std::to_string(write)));
    accepts_to_2 += static_cast<int>(cluster.queued(kind_from_to<Accept>(1, 2)).size());
    cluster.drop(from_1_to_2);
    cluster.deliver(not_1_to_2);
    for (int tick = 0; tick < 5 && !cluster.completion(id); ++tick) {
      cluster.advance(10);
      cluster.drop(from_1_to_2);
      cluster.deliver(not_1_to_2);
    }
    REQUIRE(cluster.completion(id));
  }
  CHECK(accepts_to_2 <= 2);  // the first of its turns, and maybe the spread itself
}

// Whether replica `id`'s acceptor holds y for slot 2 of "k".
bool accepted_y_for_slot_2(const ScriptedCluster& cluster, consensus::NodeId id) {
  const auto& accepted = cluster.acceptor(id, "k").accepted;
  return accepted && accepted->slot == 2 && accepted->value == consensus::KeyValue("y");
}

// Replica 1 writes z to "k" (request 3) and everything settles: what slot 2 ends up with.
consensus::KeyValue value_chosen_for_slot_2_after_writing_z(ScriptedCluster& cluster) {
  cluster.submit(1, 3, "k", put("z"));
  cluster.deliver_all();
  cluster.advance(10);
  cluster.deliver_all();
  REQUIRE(cluster.completion(3));
  return cluster.chosen("k", 2).value_or(consensus::KeyValue("nothing"));
}

// A write chosen by the two peers while the proposer heard nothing back; the proposer
// gives up on it, the key leaves its memory, and the next write of the key comes. Returns
// what ends up chosen in that write's slot.
consensus::KeyValue slot_chosen_behind_a_silent_majority(consensus::PlantedBug bug) {
  ScriptedCluster cluster(3, [bug](consensus::CoreConfig& config) {
    if (config.self != 1) return;
    config.planted_bug = bug;
    config.max_cached_keys = 0;  // idle keys leave memory at once
  });
  lead_k_from_1(cluster);  // y goes without phase 1

  cluster.submit(1, 2, "k", put("y"), 50);
  cluster.deliver([](const Envelope& e) { return is<Accept>(e) && e.from == 1; });
  cluster.drop([](const Envelope& e) { return is<consensus::Accepted>(e); });
  const auto holds_y = [&](consensus::NodeId id) { return accepted_y_for_slot_2(cluster, id); };
  const int holders = holds_y(1) + holds_y(2) + holds_y(3);
  REQUIRE(holders >= 2);  // a majority accepted y: y is chosen for slot 2
  cluster.advance(60);    // y's request times out; replica 1 forgets the idle key

  return value_chosen_for_slot_2_after_writing_z(cluster);
}

// The proposer's disk stalls while its accept of y goes out, first to one peer, then
// (late) to the other: the two peers choose y without the proposer's own acceptance ever
// reaching its disk. It crashes, restarts and writes z. Returns what ends up chosen in
// y's slot.
consensus::KeyValue slot_chosen_while_the_proposer_disk_stalled(consensus::PlantedBug bug) {
  ScriptedCluster cluster(3, [bug](consensus::CoreConfig& config) {
    if (config.self == 1) config.planted_bug = bug;
  });
  lead_k_from_1(cluster);  // and its leadership is on disk

  cluster.stall_disk(1);
  cluster.submit(1, 2, "k", put("y"));
  cluster.advance(40);  // no answer: the accept goes to the other peer too
  cluster.deliver([](const Envelope& e) { return is<Accept>(e); });
  const auto holds_y = [&](consensus::NodeId id) { return accepted_y_for_slot_2(cluster, id); };
  REQUIRE(holds_y(2));
  REQUIRE(holds_y(3));  // a majority: y is chosen
  REQUIRE_FALSE(holds_y(1));
  cluster.crash(1);
  cluster.drop([](const Envelope&) { return true; });
  cluster.start(1);

  return value_chosen_for_slot_2_after_writing_z(cluster);
}

TEST_CASE("a value chosen while its proposer's disk stalled stays chosen across its restart",
          "[teeth]") {
  CHECK(slot_chosen_while_the_proposer_disk_stalled(consensus::PlantedBug::kNone) ==
        consensus::KeyValue("y"));
  // Its leadership must not survive the restart: its acceptor has no trace of y, and with
  // the old leadership it would overwrite y with z.
  CHECK(slot_chosen_while_the_proposer_disk_stalled(
            consensus::PlantedBug::kLeadershipSurvivesRestart) == consensus::KeyValue("z"));
}

TEST_CASE("a value chosen while its proposer heard nothing stays chosen", "[teeth]") {
  CHECK(slot_chosen_behind_a_silent_majority(consensus::PlantedBug::kNone) ==
        consensus::KeyValue("y"));
  // Phase 2 without the proposer's own acceptor leaves it no trace of y: reloaded with its
  // leadership, it overwrites the chosen y with z. The check above catches that.
  CHECK(slot_chosen_behind_a_silent_majority(consensus::PlantedBug::kPhase2SkipsOwnAcceptor) ==
        consensus::KeyValue("z"));
}

// Acceptor 2 answers Accepted for x, which makes x chosen with the proposer's own
// acceptance; then both crash before 2's acceptance reaches its disk, and replica 3 writes y
// with 2. Returns what 3 gets chosen in x's slot ("two values" if the cluster saw two).
consensus::KeyValue slot_chosen_after_an_acceptance_lost_in_a_crash(consensus::PlantedBug bug) {
  ScriptedCluster cluster(3, [bug](consensus::CoreConfig& config) {
    if (config.self == 2) config.planted_bug = bug;
  });
  cluster.submit(1, 1, "k", put("x"));
  cluster.deliver(kind_from_to<Prepare>(1, 2));
  cluster.deliver(kind_from_to<Promise>(2, 1));
  cluster.deliver(kind_from_to<consensus::Accept>(1, 2));
  cluster.deliver(kind_from_to<consensus::Accepted>(2, 1));  // x is chosen
  cluster.crash(2);  // before its next tick: a late persist is lost
  cluster.crash(1);
  cluster.start(2);
  cluster.submit(3, 2, "k", put("y"));
  try {
    cluster.deliver_all();
  } catch (const std::logic_error&) {
    return consensus::KeyValue("two values");
  }
  return cluster.chosen("k", 1).value_or(consensus::KeyValue("nothing"));
}

TEST_CASE("an acceptance stated to the proposer survives the acceptor's crash", "[teeth]") {
  CHECK(slot_chosen_after_an_acceptance_lost_in_a_crash(consensus::PlantedBug::kNone) ==
        consensus::KeyValue("x"));
  // An acceptor that answers before its acceptance is durable forgets x in the crash: 3's
  // phase 1 with it finds nothing, and y is chosen where x was (replica 1 applied x).
  CHECK(slot_chosen_after_an_acceptance_lost_in_a_crash(
            consensus::PlantedBug::kAcceptorPersistsLate) == consensus::KeyValue("two values"));
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

namespace paxoskv::sim {

// A compare-and-set handed to the key's leader, taken back when the leader went quiet,
// found failing and parked; the leader, cut off for longer than the old 2 s it
// remembered forwarded writes by, proposes it once its condition holds again and gets it
// chosen. The client must not hear "conflict" for a write that is applied.
namespace {

void leader_chooses_parked_write_after_long_partition(ScriptedCluster& cluster) {
  cluster.submit(3, 1, "k", put("x"));  // replica 3 leads the key, which holds x (v1)
  cluster.deliver_all();
  REQUIRE(cluster.completion(1));

  // Replica 1: put w only if k is absent, with the product's default 5 s timeout. It goes
  // to the leader, which receives it and then is cut off from everyone.
  cluster.submit(1, 2, "k", PutOp{"w", 0}, 5000);
  REQUIRE(cluster.deliver(kind_from_to<consensus::ForwardRequest>(1, 3)) == 1);
  const auto to_or_from_3 = [](const Envelope& e) { return e.to == 3 || e.from == 3; };
  const auto not_3 = [&](const Envelope& e) { return !to_or_from_3(e); };
  cluster.drop(to_or_from_3);

  // Replica 1 takes its write back, confirms that it fails (k is present) and parks it,
  // waiting for the leader to withdraw it.
  for (int step = 0; step < 3; ++step) {
    cluster.advance(step == 0 ? 250 : 10);
    cluster.drop(to_or_from_3);
    cluster.deliver(not_3);
  }
  CHECK_FALSE(cluster.completion(2));

  // Replica 2 deletes k: the write's condition holds again.
  cluster.submit(2, 3, "k", consensus::DeleteOp{std::nullopt});
  cluster.drop(to_or_from_3);
  cluster.deliver(not_3);
  REQUIRE(cluster.completion(3));
  REQUIRE(cluster.completion(3)->outcome == Outcome::kOk);

  // The partition lasts 2.5 s, then heals for the leader's traffic first: it learns of
  // the delete and gets the write chosen, while replica 1 hears nothing of it yet.
  for (int step = 0; step < 25; ++step) {
    cluster.advance(100);
    cluster.drop(to_or_from_3);
    cluster.deliver(not_3);
  }
  CHECK_FALSE(cluster.completion(2));
  const auto not_withdrawal = [](const Envelope& e) {
    return !is<consensus::ForwardWithdraw>(e) && !(e.to == 1 && e.from == 3);
  };
  for (int step = 0; step < 20 && !cluster.chosen("k", 3); ++step) {
    cluster.advance(50);
    cluster.deliver(not_withdrawal);
  }
  REQUIRE(cluster.chosen("k", 3) == consensus::KeyValue("w"));
}

}  // namespace

TEST_CASE("a write chosen by the leader after a long partition is not answered as withdrawn") {
  ScriptedCluster cluster(3);
  leader_chooses_parked_write_after_long_partition(cluster);
  // Replica 1's withdrawal reaches the leader, which remembers the write and its answer
  // (and its state shows the write chosen); the answer reaches replica 1 before the
  // chosen state does.
  const auto not_to_1_from_3 = [](const Envelope& e) { return !(e.to == 1 && e.from == 3); };
  for (int step = 0; step < 10 && cluster.queued(is<consensus::ForwardWithdraw>).empty(); ++step) {
    cluster.advance(50);
    cluster.deliver([&](const Envelope& e) {
      return not_to_1_from_3(e) && !is<consensus::ForwardWithdraw>(e);
    });
  }
  REQUIRE(cluster.deliver(is<consensus::ForwardWithdraw>) >= 1);
  cluster.deliver([](const Envelope& e) {
    return e.from == 3 && e.to == 1 &&
           (is<consensus::ForwardReply>(e) || is<consensus::ForwardWithdrawn>(e));
  });
  REQUIRE(cluster.completion(2));
  CHECK(cluster.completion(2)->outcome == Outcome::kOk);
  CHECK(cluster.completion(2)->version == 3);
}

TEST_CASE("a parked write is settled by the chosen state when no withdrawal gets through") {
  ScriptedCluster cluster(3);
  leader_chooses_parked_write_after_long_partition(cluster);
  const auto not_withdrawal = [](const Envelope& e) { return !is<consensus::ForwardWithdraw>(e); };
  for (int step = 0; step < 10 && !cluster.completion(2); ++step) {
    cluster.advance(50);
    cluster.drop(is<consensus::ForwardWithdraw>);
    cluster.deliver(not_withdrawal);
  }
  REQUIRE(cluster.completion(2));
  CHECK(cluster.completion(2)->outcome == Outcome::kOk);
  CHECK(cluster.completion(2)->version == 3);
}

}  // namespace paxoskv::sim

namespace paxoskv::sim {

// The leader that got a parked write chosen restarts before the withdrawal reaches it: its
// new life remembers no forwarded write, and may only answer from the writer marks. They
// show the write chosen, so the client hears "ok", never "conflict" (and not "unknown").
TEST_CASE(
    "a leader restarted after choosing a parked write answers its withdrawal from the marks") {
  ScriptedCluster cluster(3);
  leader_chooses_parked_write_after_long_partition(cluster);
  REQUIRE_FALSE(cluster.completion(2));
  cluster.crash(3);
  cluster.start(3);
  // Replica 1 still hears nothing but replica 3's answers: the chosen state must not
  // settle the write before the withdrawal does.
  const auto to_1_from_2 = [](const Envelope& e) { return e.to == 1 && e.from == 2; };
  for (int step = 0; step < 10 && !cluster.completion(2); ++step) {
    cluster.advance(50);
    cluster.drop(to_1_from_2);
    cluster.drop([](const Envelope& e) {
      return e.from == 3 && e.to == 1 && !is<consensus::ForwardReply>(e) &&
             !is<consensus::ForwardWithdrawn>(e);
    });
    cluster.deliver([&](const Envelope& e) { return !to_1_from_2(e); });
  }
  REQUIRE(cluster.completion(2));
  CHECK(cluster.completion(2)->outcome == Outcome::kOk);
  CHECK(cluster.completion(2)->version == 3);
  CHECK(cluster.chosen("k", 3) == consensus::KeyValue("w"));
}

}  // namespace paxoskv::sim

// Scripted scenarios of membership changes, message by message.
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "consensus/config_change.h"
#include "tests/consensus/scripted_change.h"
#include "tests/consensus/scripted_cluster.h"

namespace paxoskv::sim {

using consensus::Accept;
using consensus::ChangeRequest;
using consensus::Commit;
using consensus::ForwardRequest;
using consensus::NodeId;
using consensus::Prepare;
using consensus::Promise;
using consensus::PutOp;

namespace {

const std::string& key_of(const Envelope& envelope) {
  return std::visit([](const auto& message) -> const std::string& { return message.key; },
                    envelope.message);
}

template <typename T>
auto kind_from_to(NodeId from, NodeId to) {
  return [=](const Envelope& e) { return is<T>(e) && e.from == from && e.to == to; };
}

consensus::Operation put(std::string value) {
  return PutOp{std::move(value), std::nullopt};
}

// Founding replicas 1-4. Replica 4 takes a client write of "k" (x) while a member; its
// messages about "k" are held while replica 1 removes it. Knowing itself removed, it
// retries x under the new configuration: as no voter, it sends its prepare to the members
// only, so its own acceptor does not promise the ballot. Phase 1 reaches 1 and 2, phase 2
// reaches acceptor 1 only, and 4 crashes before its own acceptance is on disk (its disk
// stalls). Restarted, it is handed y for "k" by replica 2, which saw it prepare last, and
// computes the same ballot again from what its acceptor holds. Phase 1 with 2 and 3 finds
// nothing, y is accepted by 2 and 3 and chosen; its Commit for that ballot reaches
// acceptor 1, which accepted x under the same ballot and applies x.
// Returns what version 1 of "k" holds ("two values" when two replicas applied different
// ones).
consensus::KeyValue slot_chosen_after_a_removed_replica_reuses_a_ballot(
    consensus::PlantedBug bug, bool& ballot_reused, bool& forwarded_to_removed) {
  ScriptedCluster cluster(4, [bug](consensus::CoreConfig& config) {
    if (config.self == 4) config.planted_bug = bug;
  });
  cluster.submit(4, 1, "k", put("x"));
  const auto k_at_4 = [](const Envelope& e) {
    return key_of(e) == "k" && (e.from == 4 || e.to == 4);
  };
  ChangeRequest remove_4;
  remove_4.kind = ChangeRequest::Kind::kRemove;
  remove_4.member.id = 4;
  REQUIRE(run_change(cluster, 1, remove_4, k_at_4) == consensus::ChangeFailure::kNone);
  const consensus::Configuration& known_at_4 = cluster.configuration(4);
  REQUIRE_FALSE(known_at_4.is_voter(4));
  // Only 4's prepares under the configuration it now knows stay.
  const std::uint64_t config = known_at_4.version;
  cluster.drop([&](const Envelope& e) {
    return k_at_4(e) && !(is<Prepare>(e) && std::get<Prepare>(e.message).config == config);
  });
  const auto prepares = cluster.queued(kind_from_to<Prepare>(4, 1));
  REQUIRE(prepares.size() == 1);
  const consensus::Ballot first_ballot = std::get<Prepare>(prepares.front().message).ballot;

  cluster.deliver(kind_from_to<Prepare>(4, 1));
  cluster.deliver(kind_from_to<Prepare>(4, 2));
  cluster.drop(kind_from_to<Prepare>(4, 3));
  cluster.stall_disk(4);
  cluster.deliver(kind_from_to<Promise>(1, 4));
  cluster.deliver(kind_from_to<Promise>(2, 4));
  REQUIRE(cluster.deliver(kind_from_to<Accept>(4, 1)) == 1);  // left before the persist
  cluster.crash(4);
  cluster.drop([](const Envelope& e) { return e.to == 4; });
  cluster.start(4);

  // 4 proposes again (a write it took before it learned of its removal would, or one
  // handed to it by a replica that does not check that it is a voter).
  cluster.submit(4, 3, "k", put("y"));
  const auto second = cluster.queued(kind_from_to<Prepare>(4, 2));
  REQUIRE(second.size() == 1);
  ballot_reused = std::get<Prepare>(second.front().message).ballot == first_ballot;
  cluster.drop(kind_from_to<Prepare>(4, 1));
  try {
    // Everything but what goes to acceptor 1, and then the Commit to it.
    cluster.deliver([](const Envelope& e) { return e.to != 1 || is<Commit>(e); });
    cluster.deliver_all();
  } catch (const std::logic_error&) {
    return consensus::KeyValue("two values");
  }
  // Replica 2 saw 4 prepare last, but hands it no write: 4 is no voter.
  cluster.submit(2, 4, "k", put("z"));
  forwarded_to_removed = !cluster.queued(kind_from_to<ForwardRequest>(2, 4)).empty();
  return cluster.chosen("k", 1).value_or(consensus::KeyValue("nothing"));
}

}  // namespace

TEST_CASE("a removed replica that proposes never reuses a ballot across a crash",
          "[membership][teeth]") {
  bool ballot_reused = true;
  bool forwarded_to_removed = true;
  CHECK(slot_chosen_after_a_removed_replica_reuses_a_ballot(consensus::PlantedBug::kNone,
                                                            ballot_reused, forwarded_to_removed) ==
        consensus::KeyValue("y"));
  CHECK_FALSE(ballot_reused);
  CHECK_FALSE(forwarded_to_removed);
  // A proposer that is no voter and does not send its prepare to its own acceptor forgets
  // its ballot in the crash, uses it again, and gets y chosen where 1 applies x.
  CHECK(slot_chosen_after_a_removed_replica_reuses_a_ballot(
            consensus::PlantedBug::kNonVoterSkipsOwnPromise, ballot_reused, forwarded_to_removed) ==
        consensus::KeyValue("two values"));
  CHECK(ballot_reused);
}

}  // namespace paxoskv::sim

// Membership changes through the embedded API: a replica joins, takes the data over and
// votes; a removed replica answers `removed`; ids are never reused.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "embedded_cluster.h"
#include "paxoskv/node.h"

namespace paxoskv::node_test {
namespace {

using namespace std::chrono_literals;

std::vector<std::uint32_t> ids_of(const std::vector<Member>& members) {
  std::vector<std::uint32_t> ids;
  for (const Member& member : members) ids.push_back(member.id);
  return ids;
}

// The options of a new replica `id` of `cluster`, joining with its data in `dir`.
Options joining(EmbeddedCluster& cluster, std::uint32_t id, const TempDir& dir,
                const std::string& address) {
  Options options = cluster.options_of(1);
  options.id = id;
  options.data_dir = (dir.path() / ("data-" + std::to_string(id))).string();
  options.cluster[id] = address;
  options.join = true;
  return options;
}

TEST_CASE("a replica joins, catches up and votes; a removed one answers removed", "[membership]") {
  EmbeddedCluster cluster(3);
  REQUIRE(eventually(5s, [&] { return cluster.connected(); }));
  for (int i = 0; i < 50; ++i) {
    REQUIRE(cluster.node(1).put("key/" + std::to_string(i), "value " + std::to_string(i)).ok());
  }

  const std::string address = "127.0.0.1:" + std::to_string(pick_free_ports(1).front());
  const MembershipResult added = cluster.node(2).add_member(4, address);
  REQUIRE(added.result.ok());
  CHECK(ids_of(added.membership.members) == std::vector<std::uint32_t>{1, 2, 3, 4});
  CHECK(added.membership.leaving.empty());
  CHECK(added.membership.config_version == 2);
  CHECK(cluster.node(3).add_member(4, address).result.code == Errc::conflict);

  TempDir dir("paxoskv-join");
  auto joined = std::make_unique<Node>(joining(cluster, 4, dir, address));
  // It learns the configuration and the data from the members.
  REQUIRE(eventually(10s, [&] { return joined->membership().config_version == 2; }));
  REQUIRE(eventually(10s, [&] {
    const Result read = joined->get("key/49", Consistency::local);
    return read.ok() && read.value == "value 49";
  }));
  CHECK(joined->get("key/7").value == "value 7");

  const MembershipResult removed = cluster.node(2).remove_member(1);
  REQUIRE(removed.result.ok());
  CHECK(ids_of(removed.membership.members) == std::vector<std::uint32_t>{2, 3, 4});
  CHECK(removed.membership.retired == std::vector<std::uint32_t>{1});
  REQUIRE(eventually(5s, [&] { return cluster.node(1).status().removed; }));
  CHECK(cluster.node(1).put("key/1", "x").code == Errc::removed);
  CHECK(cluster.node(1).get("key/1").code == Errc::removed);

  // With 1 and 3 down, only the new member makes a majority of {2, 3, 4} with 2.
  cluster.stop(1);
  cluster.stop(3);
  CHECK(cluster.node(2).put("key/1", "with the new member").ok());
  cluster.start(3);
  CHECK(joined->put("key/1", "after the changes").ok());
  CHECK(cluster.node(2).get("key/1").value == "after the changes");

  CHECK(cluster.node(2).add_member(1, cluster.options_of(1).cluster.at(1)).result.code ==
        Errc::conflict);
  CHECK(cluster.node(2).remove_member(9).result.code == Errc::not_found);
  CHECK(cluster.node(2).add_member(0, address).result.code == Errc::invalid_argument);
  CHECK(cluster.node(2).add_member(5, "no port").result.code == Errc::invalid_argument);
}

TEST_CASE("a replica started with join before it is added waits, then votes", "[membership]") {
  EmbeddedCluster cluster(3);
  REQUIRE(eventually(5s, [&] { return cluster.connected(); }));
  REQUIRE(cluster.node(1).put("k", "v").ok());
  const std::string address = "127.0.0.1:" + std::to_string(pick_free_ports(1).front());
  TempDir dir("paxoskv-join-first");
  Node joined(joining(cluster, 4, dir, address));
  CHECK(joined.add_member(5, address).result.code == Errc::no_quorum);  // not a member
  REQUIRE(cluster.node(3).add_member(4, address).result.ok());
  REQUIRE(eventually(10s, [&] { return joined.membership().config_version == 2; }));
  // 4 counts: with 3 down, 1, 2 and 4 make the majority of {1, 2, 3, 4}.
  cluster.stop(3);
  CHECK(joined.put("k", "through the new member").ok());
  CHECK(cluster.node(1).get("k").value == "through the new member");
}

TEST_CASE("a change that would leave no majority running is refused", "[membership]") {
  EmbeddedCluster cluster(3);
  REQUIRE(eventually(5s, [&] { return cluster.connected(); }));
  cluster.stop(3);
  REQUIRE(eventually(5s, [&] { return !cluster.node(1).status().reachable.at(3); }));
  // {2, 3} would need both; only 2 runs.
  const MembershipResult refused = cluster.node(1).remove_member(1);
  CHECK(refused.result.code == Errc::no_quorum);
  CHECK(refused.membership.config_version == 0);
  CHECK(cluster.node(1).put("k", "still writable").ok());
  // Removing the one that is down leaves {1, 2}, both running.
  const MembershipResult removed = cluster.node(1).remove_member(3);
  REQUIRE(removed.result.ok());
  CHECK(ids_of(removed.membership.members) == std::vector<std::uint32_t>{1, 2});
}

TEST_CASE("the last member cannot be removed", "[membership]") {
  EmbeddedCluster cluster(1);
  CHECK(cluster.node(1).remove_member(1).result.code == Errc::conflict);
  CHECK(cluster.node(1).put("k", "v").ok());
}

}  // namespace
}  // namespace paxoskv::node_test

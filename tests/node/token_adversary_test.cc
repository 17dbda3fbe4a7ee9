// Attacks on the token table's freshness: a replica must never accept a token whose
// revocation is older than a second, whatever it missed while it was down.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "paxoskv/node.h"
#include "tests/node/embedded_cluster.h"

namespace paxoskv::node_test {
namespace {

using namespace std::chrono_literals;

// A replica down while a token was revoked comes back with the token in its store; its
// first anti-entropy pull is a second or more after its start. It must not accept the
// token meanwhile: a token it had before its start counts only once a linearizable read
// of its key found it. One that was not revoked is accepted at once.
TEST_CASE("tokens: a replica restarted after a revocation it missed refuses the token at once",
          "[node][auth][adversary]") {
  EmbeddedCluster cluster;
  const CreatedToken created = cluster.node(1).create_token("stale", Role::read, "");
  const CreatedToken kept = cluster.node(1).create_token("kept", Role::read, "a/");
  REQUIRE((created.result.ok() && kept.result.ok()));
  REQUIRE(eventually(1s, [&] {
    for (std::uint32_t id = 1; id <= cluster.size(); ++id) {
      if (!cluster.node(id).known_token(created.token)) return false;
      if (!cluster.node(id).known_token(kept.token)) return false;
    }
    return true;
  }));
  REQUIRE(cluster.node(1).put("secret", "value").ok());
  cluster.stop(3);
  REQUIRE(cluster.node(1).revoke_token("stale").ok());
  std::this_thread::sleep_for(1100ms);  // the revocation is older than the 1 s allowed

  cluster.start(3);
  // Its table still has it: only the check with the cluster tells.
  CHECK(cluster.node(3).known_token(created.token));
  CHECK_FALSE(cluster.node(3).authenticate(created.token));
  CHECK_FALSE(cluster.node(3).known_token(created.token));
  CHECK(cluster.node(3).authenticate(kept.token) == TokenInfo{"kept", Role::read, "a/"});
}

// Token keys are keys: a member added later takes them over with the data (a revoked one
// as revoked), follows later revocations, and shows none in its listings.
TEST_CASE("tokens: a replica that joins takes the tokens over", "[node][auth][adversary]") {
  EmbeddedCluster cluster(3);
  REQUIRE(eventually(5s, [&] { return cluster.connected(); }));
  const CreatedToken kept = cluster.node(1).create_token("kept", Role::readwrite, "a/");
  const CreatedToken gone = cluster.node(1).create_token("gone", Role::read, "");
  const CreatedToken later = cluster.node(1).create_token("later", Role::read, "b/");
  REQUIRE((kept.result.ok() && gone.result.ok() && later.result.ok()));
  REQUIRE(cluster.node(2).revoke_token("gone").ok());
  REQUIRE(cluster.node(1).put("a/1", "one").ok());

  const std::string address = "127.0.0.1:" + std::to_string(pick_free_ports(1).front());
  REQUIRE(cluster.node(2).add_member(4, address).result.ok());
  TempDir dir("paxoskv-token-join");
  Options options = cluster.options_of(1);
  options.id = 4;
  options.data_dir = (dir.path() / "data-4").string();
  options.cluster[4] = address;
  options.join = true;
  auto joined = std::make_unique<Node>(options);
  REQUIRE(eventually(10s, [&] { return joined->authenticate(kept.token).has_value(); }));
  CHECK(eventually(10s, [&] { return joined->authenticate(later.token).has_value(); }));
  CHECK_FALSE(joined->authenticate(gone.token));
  REQUIRE(eventually(10s, [&] { return joined->get("a/1", Consistency::local).ok(); }));
  const ListResult listed = joined->list("");
  REQUIRE(listed.items.size() == 1);
  CHECK(listed.items[0].key == "a/1");

  REQUIRE(cluster.node(3).revoke_token("later").ok());
  CHECK(eventually(
      1s, [&] { return !joined->authenticate(later.token); }, 1ms));
  CHECK(joined->tokens().size() == 1);
}

// A prefix long poll reads at most a page of changes at a time and leaves the token keys
// out: a page of token changes only must not hold back a client's change behind it.
TEST_CASE("tokens: a page of token changes does not hold a prefix long poll back",
          "[node][auth][adversary]") {
  EmbeddedCluster cluster(3);
  const std::uint64_t before = cluster.node(1).index();
  for (int i = 0; i < 1001; ++i) {
    REQUIRE(cluster.node(1).create_token("t" + std::to_string(i), Role::read, "").result.ok());
  }
  REQUIRE(cluster.node(1).put("client/key", "value").ok());

  std::promise<std::pair<std::vector<Change>, std::uint64_t>> answered;
  const auto asked = std::chrono::steady_clock::now();
  cluster.node(1).wait_prefix("", before, 5s,
                              [&](std::vector<Change> changes, std::uint64_t index) {
                                answered.set_value({std::move(changes), index});
                              });
  const auto [changes, index] = answered.get_future().get();
  INFO("answered after " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - asked)
                                .count()
                         << " ms");
  CHECK(changes.empty());  // the page held token changes only
  CHECK(index > before);
  CHECK(std::chrono::steady_clock::now() - asked < 1s);
}

}  // namespace
}  // namespace paxoskv::node_test

// Tokens through the embedded API: replicated, kept hashed, checked from each replica's
// table, which survives a restart and follows every applied creation and revocation.
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "paxoskv/node.h"
#include "tests/node/embedded_cluster.h"

namespace paxoskv::node_test {
namespace {

using namespace std::chrono_literals;

bool known_everywhere(EmbeddedCluster& cluster, const std::string& token) {
  for (std::uint32_t id = 1; id <= cluster.size(); ++id) {
    if (!cluster.node(id).authenticate(token)) return false;
  }
  return true;
}

bool refused_everywhere(EmbeddedCluster& cluster, const std::string& token) {
  for (std::uint32_t id = 1; id <= cluster.size(); ++id) {
    if (cluster.node(id).authenticate(token)) return false;
  }
  return true;
}

TEST_CASE("tokens: made on one replica, known and revoked on every one", "[node][auth]") {
  EmbeddedCluster cluster;
  const CreatedToken created = cluster.node(1).create_token("app", Role::read, "config/app/");
  REQUIRE(created.result.ok());
  CHECK(created.token.starts_with("pkv_"));
  CHECK(created.token.size() == 47);  // 32 random bytes in base64url, and the prefix
  REQUIRE(eventually(1s, [&] { return known_everywhere(cluster, created.token); }));
  const TokenInfo expected{"app", Role::read, "config/app/"};
  CHECK(cluster.node(3).authenticate(created.token) == expected);
  CHECK(cluster.node(2).tokens() == std::vector<TokenInfo>{expected});
  CHECK_FALSE(cluster.node(2).authenticate(created.token + "x"));

  // A name is taken until revoked; bad requests are refused before anything is written.
  CHECK(cluster.node(2).create_token("app", Role::admin, "").result.code == Errc::conflict);
  CHECK(cluster.node(1).create_token("root", Role::admin, "x/").result.code ==
        Errc::invalid_argument);
  CHECK(cluster.node(1).create_token("a/b", Role::read, "").result.code == Errc::invalid_argument);
  CHECK(cluster.node(1).revoke_token("nobody").code == Errc::not_found);

  // Token keys are nobody's to see: no listing, no prefix long poll, no watch shows them.
  CHECK(cluster.node(1).put("plain", "value").ok());
  const ListResult all = cluster.node(1).list("");
  REQUIRE(all.items.size() == 1);
  CHECK(all.items[0].key == "plain");
  CHECK(cluster.node(1).list(std::string("\0auth", 5)).items.empty());
  std::mutex mutex;
  std::vector<std::string> watched;
  auto watch = cluster.node(2).watch_prefix("", 0, [&](const Change& change) {
    const std::lock_guard lock(mutex);
    watched.push_back(change.key);
  });

  REQUIRE(cluster.node(3).revoke_token("app").ok());
  const auto revoked_at = std::chrono::steady_clock::now();
  REQUIRE(eventually(
      1s, [&] { return refused_everywhere(cluster, created.token); }, 1ms));
  INFO("revoked everywhere after " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - revoked_at)
                                          .count()
                                   << " ms");
  CHECK(cluster.node(1).tokens().empty());
  CHECK(cluster.node(1).create_token("app", Role::readwrite, "x/").result.ok());
  REQUIRE(cluster.node(2).put("plain", "again").ok());
  REQUIRE(eventually(5s, [&] {
    const std::lock_guard lock(mutex);
    return watched.size() >= 2;
  }));
  watch.reset();
  const std::lock_guard lock(mutex);
  CHECK(watched == std::vector<std::string>{"plain", "plain"});
}

TEST_CASE("tokens: a restarted replica knows them from its store at once", "[node][auth]") {
  EmbeddedCluster cluster;
  const CreatedToken kept = cluster.node(1).create_token("kept", Role::readwrite, "a/");
  const CreatedToken gone = cluster.node(1).create_token("gone", Role::admin, "");
  REQUIRE(kept.result.ok());
  REQUIRE(gone.result.ok());
  REQUIRE(cluster.node(1).revoke_token("gone").ok());
  REQUIRE(eventually(1s, [&] {
    return known_everywhere(cluster, kept.token) && refused_everywhere(cluster, gone.token);
  }));

  cluster.restart(2);
  // Checked before any peer could tell it anything: the table came from its store.
  CHECK(cluster.node(2).authenticate(kept.token) == TokenInfo{"kept", Role::readwrite, "a/"});
  CHECK_FALSE(cluster.node(2).authenticate(gone.token));
  CHECK(cluster.node(2).tokens().size() == 1);
}

TEST_CASE("tokens: a replica that was down learns of a revocation", "[node][auth]") {
  EmbeddedCluster cluster;
  const CreatedToken created = cluster.node(1).create_token("late", Role::read, "");
  REQUIRE(created.result.ok());
  REQUIRE(eventually(1s, [&] { return known_everywhere(cluster, created.token); }));
  cluster.stop(3);
  REQUIRE(cluster.node(1).revoke_token("late").ok());
  cluster.start(3);
  CHECK(eventually(5s, [&] { return !cluster.node(3).authenticate(created.token); }));
}

}  // namespace
}  // namespace paxoskv::node_test

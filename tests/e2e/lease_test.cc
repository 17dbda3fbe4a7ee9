// Leases against a real three-replica cluster: a revoke deletes the lease's keys on every
// replica, and a prefix long poll waiting meanwhile sees the deletes; a lease whose
// keepalives stop expires within TTL + 2 s of the last one answered 200, and not before
// its TTL.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>

#include "tests/e2e/eventually.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {
namespace {

using namespace std::chrono_literals;
using boost::beast::http::verb;
using Clock = std::chrono::steady_clock;

std::string grant(HttpClient& client, const std::string& ttl) {
  const auto response = client.request(verb::post, "/v1/leases", R"({"ttl":")" + ttl + R"("})");
  REQUIRE(response);
  INFO(response->body);
  REQUIRE(response->status == 200);
  const auto body = response->json();
  REQUIRE(body.at("ttl") == ttl);
  return body.at("id").get<std::string>();
}

int status_of(const std::optional<HttpResponse>& response) {
  return response ? response->status : 0;
}

TEST_CASE("e2e: a revoked lease's keys disappear on every replica; a prefix long poll sees it",
          "[e2e][lease]") {
  TestCluster cluster;
  HttpClient one(cluster.client_port(1)), two(cluster.client_port(2)),
      three(cluster.client_port(3));
  const std::string id = grant(one, "30s");
  REQUIRE(status_of(two.put("/v1/kv/svc/a?lease=" + id, "a")) == 200);
  REQUIRE(status_of(three.put("/v1/kv/svc/b?cas=0&lease=" + id, "b")) == 200);
  REQUIRE(status_of(one.put("/v1/kv/svc/c", "not leased")) == 200);
  const auto missing = one.put("/v1/kv/svc/d?lease=00000000000000ff", "d");
  REQUIRE(status_of(missing) == 404);
  CHECK(missing->json() == nlohmann::json({{"error", "lease not found"}}));

  REQUIRE(eventually(3s, [&] {
    const auto info = three.get("/v1/leases/" + id);
    return info && info->status == 200 && info->json().at("keys").size() == 2;
  }));
  const auto info = three.get("/v1/leases/" + id);
  CHECK(info->json().at("keys") == nlohmann::json::array({"svc/a", "svc/b"}));
  CHECK(info->json().at("ttl") == "30s");
  const auto renewed = two.request(verb::post, "/v1/leases/" + id + "/keepalive");
  REQUIRE(status_of(renewed) == 200);
  CHECK(renewed->json().at("remaining") == "30s");

  // A long poll on replica 3, from its index now, waiting while the lease is revoked.
  const auto listed = three.get("/v1/kv?prefix=svc/");
  REQUIRE(status_of(listed) == 200);
  const std::string index = *listed->header("X-Paxoskv-Index");
  auto poll = std::async(std::launch::async, [&cluster, index] {
    HttpClient watcher(cluster.client_port(3), 15s);
    std::set<std::string> deleted;
    std::string from = index;
    const auto deadline = Clock::now() + 10s;
    while (deleted.size() < 2 && Clock::now() < deadline) {
      const auto changes = watcher.get("/v1/kv?prefix=svc/&wait=" + from + "&timeout=5s");
      if (!changes || changes->status != 200) break;
      const auto body = changes->json();
      for (const auto& change : body.at("changes")) {
        if (change.at("deleted").get<bool>()) {
          deleted.insert(change.at("key").get<std::string>());
        }
      }
      from = std::to_string(body.at("index").get<std::uint64_t>());
    }
    return deleted;
  });
  std::this_thread::sleep_for(200ms);
  const auto revoked = one.request(verb::delete_, "/v1/leases/" + id);
  REQUIRE(status_of(revoked) == 200);
  for (HttpClient* client : {&one, &two, &three}) {
    for (const char* key : {"/v1/kv/svc/a?consistency=local", "/v1/kv/svc/b?consistency=local"}) {
      CHECK(eventually(2s, [&] { return status_of(client->get(key)) == 404; }));
    }
    CHECK(status_of(client->get("/v1/kv/svc/c")) == 200);
  }
  CHECK(poll.get() == std::set<std::string>{"svc/a", "svc/b"});
  CHECK(status_of(two.request(verb::delete_, "/v1/leases/" + id)) == 404);
  CHECK(status_of(three.request(verb::post, "/v1/leases/" + id + "/keepalive")) == 404);
  CHECK(status_of(one.get("/v1/leases/" + id)) == 404);
  // A TTL out of range, a bad body.
  CHECK(status_of(one.request(verb::post, "/v1/leases", R"({"ttl":"500ms"})")) == 400);
  CHECK(status_of(one.request(verb::post, "/v1/leases", R"({"ttl":"2h"})")) == 400);
  CHECK(status_of(one.request(verb::post, "/v1/leases", R"({"time":"10s"})")) == 400);
}

TEST_CASE("e2e: a lease whose keepalives stop expires after its TTL and within TTL + 2 s",
          "[e2e][lease]") {
  TestCluster cluster;
  HttpClient one(cluster.client_port(1)), two(cluster.client_port(2)),
      three(cluster.client_port(3));
  const std::string id = grant(two, "2s");
  REQUIRE(status_of(three.put("/v1/kv/lock/db?cas=0&lease=" + id, "holder")) == 200);
  // Kept alive past its TTL, through every replica in turn.
  Clock::time_point last_ok_sent{};
  HttpClient* clients[] = {&one, &two, &three};
  for (int i = 0; i < 6; ++i) {
    const auto sent = Clock::now();
    REQUIRE(status_of(clients[i % 3]->request(verb::post, "/v1/leases/" + id + "/keepalive")) ==
            200);
    last_ok_sent = sent;
    std::this_thread::sleep_for(600ms);
  }
  // Present until its TTL after the last keepalive, gone by TTL + 2 s.
  Clock::time_point gone{};
  while (Clock::now() < last_ok_sent + 6s) {
    const auto now = Clock::now();
    if (status_of(one.get("/v1/kv/lock/db")) == 404) {
      gone = now;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(gone != Clock::time_point{});
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(gone - last_ok_sent);
  INFO("gone " << after.count() << " ms after the last keepalive answered 200 was sent");
  CHECK(after >= 2s);
  CHECK(after <= 4s);
  CHECK(status_of(two.request(verb::post, "/v1/leases/" + id + "/keepalive")) == 404);
  // The lock is free: the next holder gets it with a larger fencing token.
  const std::string next = grant(one, "5s");
  const auto taken = one.put("/v1/kv/lock/db?cas=0&lease=" + next, "next");
  REQUIRE(status_of(taken) == 200);
  CHECK(taken->json().at("version") == 3);
}

}  // namespace
}  // namespace paxoskv::e2e

// The HTTP API (version 1) against a real three-replica cluster, through every replica.
#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "http/client/targets.h"
#include "http/encoding/base64.h"
#include "tests/e2e/eventually.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/kv_client.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {
namespace {

using namespace std::chrono_literals;
using http::base64_decode;
using http::client::key_target;

void require_write(const KvReply& reply, std::uint64_t version) {
  INFO(reply.describe());
  REQUIRE(reply.status == 200);
  REQUIRE(reply.version == version);
}

void require_value(const KvReply& reply, std::string_view value, std::uint64_t version) {
  INFO(reply.describe());
  REQUIRE(reply.status == 200);
  REQUIRE(reply.value == std::string(value));
  REQUIRE(reply.version == version);
}

void require_absent(const KvReply& reply, std::uint64_t version) {
  INFO(reply.describe());
  REQUIRE(reply.status == 404);
  REQUIRE(reply.body.value("error", "") == "not found");
  REQUIRE(reply.version == version);
}

std::optional<std::uint64_t> index_of(const HttpResponse& response) {
  const auto header = response.header("X-Paxoskv-Index");
  if (!header || header->empty()) return std::nullopt;
  return std::stoull(*header);
}

TEST_CASE("e2e: versions of put, delete and put again, seen through every replica", "[e2e]") {
  TestCluster cluster;
  KvClient one(cluster.client_port(1)), two(cluster.client_port(2)), three(cluster.client_port(3));

  require_write(one.put("greeting", "hello"), 1);
  require_value(two.get("greeting"), "hello", 1);
  require_value(three.get("greeting"), "hello", 1);
  REQUIRE(one.put("greeting", "hello").body ==
          nlohmann::json({{"key", "greeting"}, {"version", 2}}));
  require_value(three.get("greeting"), "hello", 2);

  require_write(three.remove("greeting"), 3);
  require_absent(one.get("greeting"), 3);
  require_absent(two.get("greeting"), 3);
  REQUIRE(one.get("greeting").body.value("key", "") == "greeting");
  // Deleting what is absent changes nothing.
  require_absent(two.remove("greeting"), 3);
  require_absent(one.get("greeting"), 3);

  require_write(one.put("greeting", "again"), 4);
  require_value(two.get("greeting"), "again", 4);
  require_value(three.get("greeting"), "again", 4);

  require_absent(one.remove("never-written"), 0);
  require_absent(three.get("never-written"), 0);
}

TEST_CASE("e2e: cas on absent, present and deleted keys", "[e2e]") {
  TestCluster cluster;
  KvClient one(cluster.client_port(1)), two(cluster.client_port(2)), three(cluster.client_port(3));

  require_write(one.put("lock", "a", 0), 1);  // cas=0: only if absent
  auto conflict = two.put("lock", "b", 0);
  INFO(conflict.describe());
  CHECK(conflict.status == 409);
  CHECK(conflict.version == 1);
  CHECK(conflict.body.value("key", "") == "lock");
  CHECK(conflict.body["error"].is_string());
  conflict = three.put("lock", "b", 7);
  CHECK(conflict.status == 409);
  CHECK(conflict.version == 1);
  require_value(three.get("lock"), "a", 1);

  require_write(three.put("lock", "b", 1), 2);
  conflict = one.remove("lock", 1);
  INFO(conflict.describe());
  CHECK(conflict.status == 409);
  CHECK(conflict.version == 2);
  require_value(one.get("lock"), "b", 2);
  require_write(two.remove("lock", 2), 3);
  require_absent(three.get("lock"), 3);

  // Deleted: absent again, so cas=0 succeeds and the version continues.
  conflict = one.put("lock", "c", 3);
  CHECK(conflict.status == 409);
  CHECK(conflict.version == 3);
  require_write(one.put("lock", "c", 0), 4);
  require_value(two.get("lock"), "c", 4);
}

TEST_CASE("e2e: raw reads, binary values and keys that need encoding", "[e2e]") {
  TestCluster cluster;
  KvClient one(cluster.client_port(1)), two(cluster.client_port(2)), three(cluster.client_port(3));

  std::string binary;
  for (int byte = 0; byte < 256; ++byte) binary += static_cast<char>(byte);
  require_write(one.put("blob", binary), 1);

  const auto json = two.http().get(key_target("blob"));
  REQUIRE(json);
  REQUIRE(json->status == 200);
  const auto body = json->json();
  CHECK_FALSE(body.contains("value"));
  REQUIRE(body.contains("value_base64"));
  CHECK(base64_decode(body["value_base64"].get<std::string>()) == binary);
  CHECK(body["version"] == 1);

  const auto raw = three.http().get(key_target("blob", {{"raw", ""}}));
  REQUIRE(raw);
  REQUIRE(raw->status == 200);
  CHECK(raw->body == binary);
  CHECK(raw->header("X-Paxoskv-Version") == "1");
  CHECK(index_of(*raw).has_value());
  const auto raw_absent = three.http().get(key_target("no-such-blob", {{"raw", ""}}));
  REQUIRE(raw_absent);
  CHECK(raw_absent->status == 404);

  require_write(two.put("text", "h\xC3\xA9llo \xE2\x9C\x93"), 1);  // UTF-8 stays "value"
  require_value(one.get("text"), "h\xC3\xA9llo \xE2\x9C\x93", 1);
  require_write(two.put("empty", ""), 1);
  require_value(three.get("empty"), "", 1);

  const std::vector<std::string> odd_keys = {"config/app/db",
                                             "a//b",
                                             "/leading/slash",
                                             "trailing/",
                                             "with space",
                                             "per%cent",
                                             "q?uestion#hash&amp=eq",
                                             "plus+sign",
                                             "caf\xC3\xA9",
                                             "bytes\x01\x7F\xFF",
                                             std::string(1024, 'k')};
  for (const std::string& key : odd_keys) {
    INFO("key " << nlohmann::json(key).dump(-1, ' ', false,
                                            nlohmann::json::error_handler_t::replace));
    const auto put = one.put(key, "value of " + key);
    INFO(put.describe());
    REQUIRE(put.status == 200);
    const auto got = two.get(key);
    REQUIRE(got.status == 200);
    CHECK(got.value == "value of " + key);
    if (got.body.contains("key")) {
      CHECK(got.body["key"] == key);
    } else {
      CHECK(base64_decode(got.body.value("key_base64", "")) == key);
    }
  }
  // Unreserved bytes may come percent-encoded: %41 is 'A'.
  require_write(three.put("xAy", "decoded"), 1);
  const auto encoded = one.http().get("/v1/kv/x%41y");
  REQUIRE(encoded);
  CHECK(encoded->status == 200);
  CHECK(encoded->json().value("value", "") == "decoded");
}

TEST_CASE("e2e: reads carry X-Paxoskv-Index, the replica's change count", "[e2e]") {
  TestCluster cluster;
  KvClient one(cluster.client_port(1));
  const auto before = one.http().get(key_target("counted"));
  REQUIRE(before);
  CHECK(before->status == 404);
  const auto first = index_of(*before);
  REQUIRE(first.has_value());
  for (int i = 0; i < 5; ++i) require_write(one.put("counted", "v" + std::to_string(i)), i + 1);
  const auto after = one.http().get(key_target("counted"));
  REQUIRE(after);
  REQUIRE(after->status == 200);
  const auto second = index_of(*after);
  REQUIRE(second.has_value());
  CHECK(*second >= *first + 5);  // all five were applied here before the read answered
  const auto local = one.http().get(key_target("counted", {{"consistency", "local"}}));
  REQUIRE(local);
  CHECK(index_of(*local) >= second);
}

TEST_CASE("e2e: prefix listing pages with limit, after and more", "[e2e]") {
  TestCluster cluster;
  KvClient one(cluster.client_port(1)), two(cluster.client_port(2));
  for (const char* key : {"list/e", "list/a", "list/c", "list/b", "list/d", "lisz", "lis"}) {
    require_write(one.put(key, std::string("v-") + key), 1);
  }
  require_write(one.put("list/bb", "gone"), 1);
  require_write(one.remove("list/bb"), 2);

  // Listing reads the local applied state: wait until replica 2 has all of it.
  auto page = [&](const std::string& query) {
    const auto response = two.http().get("/v1/kv?" + query);
    REQUIRE(response);
    INFO(response->body);
    REQUIRE(response->status == 200);
    CHECK(index_of(*response).has_value());
    return response->json();
  };
  auto keys_of = [](const nlohmann::json& body) {
    std::vector<std::string> keys;
    for (const auto& item : body["items"]) keys.push_back(item["key"].get<std::string>());
    return keys;
  };
  const auto settled = eventually(5s, [&] {
    return keys_of(page("prefix=list%2F")) ==
           std::vector<std::string>{"list/a", "list/b", "list/c", "list/d", "list/e"};
  });
  REQUIRE(settled.has_value());

  auto body = page("prefix=list%2F&limit=2");
  CHECK(keys_of(body) == std::vector<std::string>{"list/a", "list/b"});
  CHECK(body["more"] == true);
  CHECK(body["items"][0] ==
        nlohmann::json({{"key", "list/a"}, {"value", "v-list/a"}, {"version", 1}}));
  body = page("prefix=list%2F&limit=2&after=list%2Fb");
  CHECK(keys_of(body) == std::vector<std::string>{"list/c", "list/d"});
  CHECK(body["more"] == true);
  body = page("prefix=list%2F&limit=2&after=list%2Fd");
  CHECK(keys_of(body) == std::vector<std::string>{"list/e"});
  CHECK(body["more"] == false);
  body = page("prefix=lis");
  CHECK(keys_of(body) ==
        std::vector<std::string>{"lis", "list/a", "list/b", "list/c", "list/d", "list/e", "lisz"});
  CHECK(body["more"] == false);
  CHECK(page("prefix=nothing-here")["items"].empty());
}

TEST_CASE("e2e: consistency=local catches up on every replica", "[e2e]") {
  TestCluster cluster;
  KvClient writer(cluster.client_port(1));
  constexpr int kKeys = 20;
  for (int i = 0; i < kKeys; ++i) {
    require_write(writer.put("local/" + std::to_string(i), "value " + std::to_string(i)), 1);
  }
  for (const int id : cluster.ids()) {
    KvClient reader(cluster.client_port(id));
    const auto took = eventually(5s, [&] {
      for (int i = 0; i < kKeys; ++i) {
        const auto reply = reader.get("local/" + std::to_string(i), true);
        if (reply.status != 200 || reply.value != "value " + std::to_string(i)) return false;
      }
      return true;
    });
    INFO("replica " << id);
    REQUIRE(took.has_value());
    std::cout << "[local reads] replica " << id << " showed all " << kKeys << " writes "
              << took->count() << " ms after they were acknowledged" << std::endl;
  }
}

TEST_CASE("e2e: healthz, status and metrics", "[e2e]") {
  TestCluster cluster;
  for (const int id : cluster.ids()) {
    INFO("replica " << id);
    HttpClient client(cluster.client_port(id));
    const auto health = client.get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);

    // Peers connect in the background: every member is reachable soon.
    nlohmann::json status;
    const auto all_reachable = eventually(5s, [&] {
      const auto response = client.get("/v1/status");
      if (!response || response->status != 200) return false;
      status = response->json();
      for (const auto& member : status["members"]) {
        if (member.value("reachable", false) != true) return false;
      }
      return true;
    });
    INFO(status.dump());
    REQUIRE(all_reachable.has_value());
    CHECK(status["id"] == id);
    REQUIRE(status["members"].size() == 3);
    for (const auto& member : status["members"]) {
      CHECK(member["peer_address"] ==
            "127.0.0.1:" + std::to_string(cluster.peer_port(member["id"].get<int>())));
    }

    KvClient kv(cluster.client_port(id));
    require_write(kv.put("metered-" + std::to_string(id), "x"), 1);
    const auto metrics = client.get("/metrics");
    REQUIRE(metrics);
    CHECK(metrics->status == 200);
    CHECK(metrics->header("Content-Type").value_or("").starts_with("text/plain"));
    // Prometheus text: comments, or `name{labels} value`.
    const std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfa]+( [0-9]+)?$)");
    std::size_t samples = 0;
    std::istringstream lines(metrics->body);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty() || line.starts_with('#')) continue;
      INFO(line);
      CHECK(std::regex_match(line, sample));
      ++samples;
    }
    CHECK(samples > 10);
    CHECK(metrics->body.find("paxoskv_") != std::string::npos);
  }
}

}  // namespace
}  // namespace paxoskv::e2e

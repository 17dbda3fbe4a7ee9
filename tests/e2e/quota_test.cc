// The store's quota (--quota-bytes) against a real three-replica cluster: once the data
// dirs are larger, writes that add data (puts, cas puts, lease grants) get 507 on every
// replica, while reads, deletes and lease revokes still work.
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <random>
#include <string>

#include "tests/e2e/eventually.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/kv_client.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {
namespace {

using namespace std::chrono_literals;
using boost::beast::http::verb;

int status_of(const std::optional<HttpResponse>& response) {
  return response ? response->status : 0;
}

TEST_CASE("e2e: over its quota a store refuses puts and grants with 507, not deletes or revokes",
          "[e2e][quota]") {
  constexpr std::uint64_t kQuota = 2 << 20;
  ClusterOptions options;
  options.extra_flags = {"--quota-bytes", std::to_string(kQuota)};
  TestCluster cluster(options);
  KvClient one(cluster.client_port(1)), two(cluster.client_port(2));

  // A lease with a key, granted while there is room.
  const auto granted = one.http().request(verb::post, "/v1/leases", R"({"ttl":"1m"})");
  REQUIRE(status_of(granted) == 200);
  const std::string lease = granted->json().at("id").get<std::string>();
  REQUIRE(status_of(one.http().put("/v1/kv/quota/leased?lease=" + lease, "held")) == 200);

  // Fill until refused: 64 KiB values the store cannot compress, so a few dozen puts pass
  // the quota.
  std::mt19937_64 random(7);
  std::string value(64 * 1024, '\0');
  for (char& c : value) c = static_cast<char>('a' + random() % 26);
  KvReply refused;
  int written = 0;
  for (; written < 400; ++written) {
    refused = one.put("quota/" + std::to_string(written), value);
    if (refused.status != 200) break;
  }
  INFO("refused after " << written << " puts: " << refused.describe());
  REQUIRE(refused.status == 507);
  CHECK(refused.body["error"] == "no space");
  CHECK(written >= 16);  // not before the store held about the quota

  // Every replica holds the same data: each refuses (once it looked, within 500 ms).
  int attempt = 0;
  CHECK(eventually(
      2s, [&] { return two.put("quota/other" + std::to_string(++attempt), "x").status == 507; }));
  CHECK(one.put("quota/0", "smaller", /*expected_version=*/1).status == 507);
  CHECK(status_of(one.http().request(verb::post, "/v1/leases", R"({"ttl":"10s"})")) == 507);
  CHECK(one.get("quota/other" + std::to_string(attempt)).status == 404);

  // What frees space goes through: reads, deletes, a revoke with its keys.
  CHECK(one.get("quota/0").value == std::optional<std::string>(value));
  CHECK(one.get("quota/1", /*local=*/true).status == 200);
  CHECK(one.remove("quota/0").status == 200);
  CHECK(two.remove("quota/1", /*expected_version=*/1).status == 200);
  CHECK(one.get("quota/0").status == 404);
  CHECK(status_of(one.http().request(verb::delete_, "/v1/leases/" + lease)) == 200);
  CHECK(eventually(2s, [&] { return two.get("quota/leased").status == 404; }));

  const auto metrics = one.http().get("/metrics");
  REQUIRE(status_of(metrics) == 200);
  CHECK_THAT(metrics->body, Catch::Contains("paxoskv_store_quota_bytes " + std::to_string(kQuota)));
  CHECK(cluster.unexpected_exits().empty());
}

}  // namespace
}  // namespace paxoskv::e2e

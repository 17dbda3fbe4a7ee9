// What /metrics shows an operator: the process, the build, the store, fsync latency, round
// trips to peers; and that every metric the Grafana dashboard in tools/deploy/ plots is one
// a replica exports.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>

#include "tests/e2e/http_client.h"
#include "tests/e2e/kv_client.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {
namespace {

// The value of the sample line `name` (with its labels, if any), or -1 if absent.
double sample(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

// The metric families the text exports: the names of its samples, without the
// _bucket/_sum/_count suffixes of histograms.
std::set<std::string> families(const std::string& text) {
  std::set<std::string> names;
  const std::regex type_line(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) )");
  for (std::sregex_iterator it(text.begin(), text.end(), type_line), end; it != end; ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

std::string family_of(std::string name) {
  for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
    if (name.ends_with(suffix)) return name.substr(0, name.size() - suffix.size());
  }
  return name;
}

}  // namespace

TEST_CASE("e2e: metrics of the process, the build, the store and fsync latency", "[e2e][metrics]") {
  TestCluster cluster;
  KvClient client(cluster.client_port(1));
  REQUIRE(client.put("observed", "1").status == 200);
  HttpClient http(cluster.client_port(1));
  const auto response = http.get("/metrics");
  REQUIRE(response);
  REQUIRE(response->status == 200);
  const std::string& text = response->body;

  CHECK(sample(text, "process_resident_memory_bytes") > 1e6);
  CHECK(sample(text, "process_open_fds") > 3);
  CHECK(sample(text, "process_cpu_seconds_total") >= 0);
  CHECK(sample(text, "process_start_time_seconds") > 1.7e9);
  CHECK(text.find("\npaxoskv_build_info{version=\"") != std::string::npos);
  CHECK(sample(text, "paxoskv_store_size_bytes") > 0);
  // The put was acknowledged after a synced write on this replica.
  CHECK(sample(text, "paxoskv_fsync_duration_seconds_count") >= 1);
  CHECK(sample(text, "paxoskv_fsync_duration_seconds_bucket{le=\"+Inf\"}") ==
        sample(text, "paxoskv_fsync_duration_seconds_count"));

  SECTION("every metric the dashboard plots is exported") {
    std::ifstream file(PAXOSKV_DASHBOARD);
    REQUIRE(file);
    const std::string dashboard((std::istreambuf_iterator<char>(file)),
                                std::istreambuf_iterator<char>());
    const std::set<std::string> exported = families(text);
    const std::regex metric_name(R"(\b((paxoskv|process)_[a-z_]+)\{)");
    std::size_t plotted = 0;
    for (std::sregex_iterator it(dashboard.begin(), dashboard.end(), metric_name), end; it != end;
         ++it) {
      const std::string family = family_of((*it)[1]);
      INFO(family);
      CHECK(exported.contains(family));
      ++plotted;
    }
    CHECK(plotted >= 20);
  }
}

TEST_CASE("e2e: round trips to every peer", "[e2e][metrics]") {
  TestCluster cluster;
  // Writes through every replica: each proposes, so each asks both of its peers (a
  // thrifty phase 2 asks them in turns), and reads (quorum reads) too.
  for (const int id : cluster.ids()) {
    KvClient client(cluster.client_port(id));
    for (int i = 0; i < 10; ++i) {
      const std::string key = "trip/" + std::to_string(id) + "/" + std::to_string(i);
      REQUIRE(client.put(key, "v").status == 200);
      REQUIRE(client.get(key).status == 200);
    }
  }
  for (const int id : cluster.ids()) {
    HttpClient http(cluster.client_port(id));
    const auto response = http.get("/metrics");
    REQUIRE(response);
    REQUIRE(response->status == 200);
    const std::string& text = response->body;
    CHECK(text.find("\n# TYPE paxoskv_peer_round_trip_seconds histogram\n") != std::string::npos);
    for (const int peer : cluster.ids()) {
      if (peer == id) continue;
      const std::string label = "{peer=\"" + std::to_string(peer) + "\"}";
      INFO("replica " << id << ", peer " << peer);
      const double count = sample(text, "paxoskv_peer_round_trip_seconds_count" + label);
      const double sum = sample(text, "paxoskv_peer_round_trip_seconds_sum" + label);
      CHECK(count >= 1);
      CHECK(sum > 0);
      CHECK(sum / count < 1.0);  // loopback: well under a second on average
      CHECK(sample(text, "paxoskv_peer_round_trip_seconds_bucket{peer=\"" + std::to_string(peer) +
                             "\",le=\"+Inf\"}") == count);
    }
    // None for itself.
    CHECK(sample(text, "paxoskv_peer_round_trip_seconds_count{peer=\"" + std::to_string(id) +
                           "\"}") == -1);
  }
}

}  // namespace paxoskv::e2e

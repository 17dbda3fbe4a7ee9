// A replica restarted on a wiped data dir: its peers know its id as having served, so it
// exits with status 2 and says how to replace it; the cluster serves on with its data.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "tests/e2e/kv_client.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {
namespace {

using namespace std::chrono_literals;

std::string whole_log(const TestCluster& cluster, int id) {
  std::ifstream log(cluster.log_file(id));
  std::stringstream text;
  text << log.rdbuf();
  return text.str();
}

TEST_CASE("e2e: a replica restarted on a wiped data dir exits with status 2", "[e2e]") {
  constexpr int kWiped = 2;
  constexpr int kKeys = 20;
  TestCluster cluster;
  for (int i = 0; i < kKeys; ++i) {
    KvClient kv(cluster.client_port(i % 3 + 1));
    const auto reply = kv.put("kept/" + std::to_string(i), "value " + std::to_string(i));
    INFO(reply.describe());
    REQUIRE(reply.status == 200);
  }
  // Every replica asks each peer for changes once a second: by then each has heard from
  // every other.
  std::this_thread::sleep_for(1500ms);

  cluster.kill(kWiped);
  std::filesystem::remove_all(cluster.data_dir(kWiped));
  for (int attempt = 1; attempt <= 2; ++attempt) {  // a second start is refused as well
    INFO("start " << attempt);
    const auto status = cluster.start_expecting_exit(kWiped, 10s);
    REQUIRE(status.has_value());
    INFO(describe_wait_status(*status) << "; log:\n" << cluster.log_tail(kWiped));
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 2);
  }
  const std::string log = whole_log(cluster, kWiped);
  INFO(cluster.log_tail(kWiped));
  CHECK(log.find("replica 2: its data was lost") != std::string::npos);
  CHECK(log.find("remove id 2 from the cluster") != std::string::npos);
  CHECK(log.find("add a new replica under a new id") != std::string::npos);

  // The others serve on (a majority), with every acknowledged write.
  for (const int id : {1, 3}) {
    KvClient kv(cluster.client_port(id));
    for (int i = 0; i < kKeys; ++i) {
      const auto reply = kv.get("kept/" + std::to_string(i));
      INFO("replica " << id << ": " << reply.describe());
      CHECK(reply.value == "value " + std::to_string(i));
    }
    const auto write = kv.put("after/" + std::to_string(id), "ok");
    INFO(write.describe());
    CHECK(write.status == 200);
  }
  CHECK(cluster.unexpected_exits().empty());
}

TEST_CASE("e2e: replicas on new data dirs found a cluster at once", "[e2e]") {
  const auto started = std::chrono::steady_clock::now();
  TestCluster cluster;  // starts each replica and waits for it before the next
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  for (const int id : cluster.ids()) {
    const std::string log = whole_log(cluster, id);
    INFO("replica " << id << ":\n" << cluster.log_tail(id));
    CHECK(log.find("no peer knows id " + std::to_string(id)) != std::string::npos);
  }
  KvClient kv(cluster.client_port(3));
  CHECK(kv.put("k", "v").status == 200);
  // A restart on an intact data dir is no founding: it serves at once.
  cluster.kill(1);
  cluster.start(1);
  REQUIRE(cluster.wait_connected(1, 10s));
  KvClient first(cluster.client_port(1));
  CHECK(first.get("k").value == "v");
  CHECK(whole_log(cluster, 1).find("its data was lost") == std::string::npos);
}

}  // namespace
}  // namespace paxoskv::e2e

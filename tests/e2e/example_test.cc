// The example service that embeds a replica: it joins a running cluster, reads its
// settings at start, and reacts to a setting changed on another replica.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/e2e/child_process.h"
#include "tests/e2e/eventually.h"
#include "tests/e2e/kv_client.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {

namespace {

using namespace std::chrono_literals;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Polls `path` until it contains `needle` or `limit` passes.
bool wait_for_text(const std::filesystem::path& path, const std::string& needle,
                   std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_file(path).find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

}  // namespace

TEST_CASE("e2e: the example service embeds a replica and follows a changed setting", "[e2e]") {
  const char* binary = std::getenv("PAXOSKV_EXAMPLE_BINARY");
  REQUIRE(binary != nullptr);
  TestCluster cluster;
  KvClient one(cluster.client_port(1));
  REQUIRE(one.put("service/greeting", "hello").status == 200);
  // The write is chosen once a majority accepted it; replica 3 applies it a moment later.
  KvClient three(cluster.client_port(3));
  REQUIRE(
      eventually(5s, [&] { return three.get("service/greeting", true).version == 1; }).has_value());

  // The service takes over replica 3's place: its data dir and peer address.
  cluster.kill(3);
  std::string members;
  for (int id : cluster.ids()) {
    if (!members.empty()) members += ",";
    members += std::to_string(id) + "=127.0.0.1:" + std::to_string(cluster.peer_port(id));
  }
  const auto log = cluster.data_dir(3).parent_path() / "example.log";
  ChildProcess service({binary, "--id", "3", "--data-dir", cluster.data_dir(3).string(),
                        "--cluster", members, "--exit-after-changes", "2"},
                       log);
  INFO("service log:\n" << read_file(log));
  REQUIRE(wait_for_text(log, "ready:", 10s));
  CHECK(read_file(log).find("setting service/greeting = hello (version 1)") != std::string::npos);

  KvClient two(cluster.client_port(2));
  REQUIRE(one.put("service/greeting", "bonjour").status == 200);
  REQUIRE(two.put("service/color", "blue").status == 200);
  REQUIRE(two.put("elsewhere/ignored", "x").status == 200);

  const auto status = service.wait_for_exit(15s);
  INFO("service log:\n" << read_file(log));
  REQUIRE(status.has_value());
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  const std::string output = read_file(log);
  CHECK(output.find("setting service/greeting changed to bonjour (version 2)") !=
        std::string::npos);
  CHECK(output.find("setting service/color changed to blue (version 1)") != std::string::npos);
  CHECK(output.find("elsewhere") == std::string::npos);
}

}  // namespace paxoskv::e2e

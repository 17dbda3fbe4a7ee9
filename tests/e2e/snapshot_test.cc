// Backup and restore on real replicas: `paxoskvctl snapshot save` while clients write,
// `paxoskv restore` of each member of a new cluster from the file, and the refusal of a
// damaged or truncated file.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/child_process.h"
#include "tests/e2e/kv_client.h"
#include "tests/e2e/test_cluster.h"
#include "tests/e2e/workload.h"
#include "tests/support/linearizability.h"

namespace paxoskv::e2e {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

fs::path paxoskvctl_binary() {
  if (const char* path = std::getenv("PAXOSKVCTL_BINARY"); path && *path) return path;
  return paxoskv_binary().parent_path() / "tools" / "ctl" / "paxoskvctl";
}

// Runs a tool to its end (at most a minute): its exit status, or -1 if it did not exit
// normally. Its output goes to `log`.
int run_tool(const std::vector<std::string>& argv, const fs::path& log) {
  ChildProcess child(argv, log);
  const std::optional<int> status = child.wait_for_exit(60s);
  if (!status || !WIFEXITED(*status)) return -1;
  return WEXITSTATUS(*status);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

int save_snapshot(const TestCluster& cluster, int id, const fs::path& file, const fs::path& log) {
  return run_tool({paxoskvctl_binary().string(), "--endpoints",
                   cluster.host(id) + ":" + std::to_string(cluster.client_port(id)), "snapshot",
                   "save", file.string()},
                  log);
}

// A new cluster's --cluster: restore keeps only the cluster's name and ids, so the
// addresses need not be the ones the replicas get.
constexpr std::string_view kNewCluster = "1=127.0.0.1:1,2=127.0.0.1:2,3=127.0.0.1:3";

int restore(const fs::path& file, const fs::path& data_dir, int id, const fs::path& log) {
  return run_tool(
      {paxoskv_binary().string(), "restore", "--snapshot", file.string(), "--data-dir",
       data_dir.string(), "--id", std::to_string(id), "--cluster", std::string(kNewCluster)},
      log);
}

// Restores every member of a new 3-replica cluster from `file` into dirs under `root`.
std::map<int, fs::path> restore_cluster(const fs::path& file, const fs::path& root) {
  std::map<int, fs::path> dirs;
  for (int id = 1; id <= 3; ++id) {
    dirs[id] = root / ("restored-" + std::to_string(id));
    REQUIRE(restore(file, dirs[id], id, root / "restore.log") == 0);
  }
  return dirs;
}

TEST_CASE(
    "e2e: a snapshot taken under writes restores into a new cluster with every acknowledged "
    "write and its version",
    "[e2e][snapshot]") {
  TempDir dir("paxoskv-e2e-snapshot");
  const fs::path file = dir.path() / "backup.snap";
  std::map<std::string, std::string> acknowledged;
  {
    TestCluster cluster;
    KvClient first(cluster.client_port(1));
    for (int i = 0; i < 3; ++i)
      REQUIRE(first.put("versioned", "v" + std::to_string(i)).status == 200);
    REQUIRE(first.put("gone", "soon").status == 200);
    REQUIRE(first.remove("gone").version == 2);

    check::HistoryRecorder recorder;
    WorkloadOptions load;
    load.clients = 4;
    for (const int id : cluster.ids()) load.ports.push_back(cluster.client_port(id));
    Workload workload(load, recorder);
    while (workload.acknowledged_fresh_count() < 100) std::this_thread::sleep_for(10ms);
    // Every write acknowledged before the snapshot's request begins must be in it; the
    // clients go on writing while it is taken.
    acknowledged = workload.acknowledged_fresh();
    REQUIRE(save_snapshot(cluster, 2, file, dir.path() / "save.log") == 0);
    const std::size_t after = workload.acknowledged_fresh_count();
    workload.stop();
    INFO(read_file(dir.path() / "save.log"));
    CHECK(after > acknowledged.size());  // the snapshot was taken under writes
  }

  const std::map<int, fs::path> dirs = restore_cluster(file, dir.path());
  ClusterOptions options;
  options.data_dirs = dirs;
  TestCluster restored(options);
  KvClient client(restored.client_port(3));
  for (const auto& [key, value] : acknowledged) {
    const KvReply read = client.get(key);
    INFO(key << ": " << read.describe());
    REQUIRE(read.status == 200);
    CHECK(read.value == value);
    CHECK(read.version == 1);  // fresh keys are written once
  }
  const KvReply versioned = client.get("versioned");
  CHECK(versioned.value == "v2");
  CHECK(versioned.version == 3);
  // A deleted key keeps its version: versions never repeat after the restore.
  const KvReply gone = client.get("gone");
  CHECK(gone.status == 404);
  CHECK(gone.version == 2);
  CHECK(client.put("gone", "back").version == 3);
  CHECK(client.put("versioned", "v3").version == 4);
}

TEST_CASE("e2e: a snapshot holds the writes a replica that was down has not pulled yet",
          "[e2e][snapshot]") {
  // Replica 2 misses these writes while it is down, and is asked for the snapshot right
  // after its restart, before its regular pull from its peers: only the barrier brings
  // them in.
  TempDir dir("paxoskv-e2e-snapshot-behind");
  const fs::path file = dir.path() / "backup.snap";
  std::vector<std::string> written;
  {
    TestCluster cluster;
    cluster.kill(2);
    KvClient first(cluster.client_port(1));
    for (int i = 0; i < 300; ++i) {
      const std::string key = "missed/" + std::to_string(i);
      REQUIRE(first.put(key, "value").status == 200);
      written.push_back(key);
    }
    cluster.start(2);
    REQUIRE(cluster.wait_connected(2, 10s));
    REQUIRE(save_snapshot(cluster, 2, file, dir.path() / "save.log") == 0);
  }
  const std::map<int, fs::path> dirs = restore_cluster(file, dir.path());
  ClusterOptions options;
  options.data_dirs = dirs;
  TestCluster restored(options);
  KvClient client(restored.client_port(1));
  std::size_t missing = 0;
  for (const std::string& key : written) {
    if (client.get(key).status != 200) ++missing;
  }
  CHECK(missing == 0);
}

TEST_CASE("e2e: restore refuses a damaged or truncated snapshot and writes nothing",
          "[e2e][snapshot]") {
  TempDir dir("paxoskv-e2e-snapshot-damaged");
  const fs::path file = dir.path() / "backup.snap";
  {
    TestCluster cluster;
    KvClient client(cluster.client_port(1));
    for (int i = 0; i < 50; ++i) REQUIRE(client.put("k" + std::to_string(i), "v").status == 200);
    REQUIRE(save_snapshot(cluster, 1, file, dir.path() / "save.log") == 0);
  }
  const std::string bytes = read_file(file);
  REQUIRE(bytes.size() > 100);

  std::string flipped = bytes;
  flipped[bytes.size() / 2] = static_cast<char>(flipped[bytes.size() / 2] ^ 0x20);
  write_file(dir.path() / "flipped.snap", flipped);
  write_file(dir.path() / "truncated.snap", bytes.substr(0, bytes.size() - 10));
  for (const char* name : {"flipped.snap", "truncated.snap"}) {
    INFO(name);
    const fs::path data_dir = dir.path() / (std::string(name) + ".data");
    const fs::path log = dir.path() / (std::string(name) + ".log");
    CHECK(restore(dir.path() / name, data_dir, 1, log) == 1);
    CHECK_FALSE(fs::exists(data_dir));
    CHECK(read_file(log).find("nothing written") != std::string::npos);
  }

  // A dir that already holds a store is refused too, and left as it was.
  const fs::path used = dir.path() / "used";
  REQUIRE(restore(file, used, 1, dir.path() / "restore.log") == 0);
  const auto files_before = std::distance(fs::directory_iterator(used), fs::directory_iterator());
  CHECK(restore(file, used, 1, dir.path() / "used.log") == 1);
  CHECK(std::distance(fs::directory_iterator(used), fs::directory_iterator()) == files_before);
  CHECK(read_file(dir.path() / "used.log").find("not empty") != std::string::npos);
}

}  // namespace
}  // namespace paxoskv::e2e

// Locks on real replicas through paxoskvctl: a holder killed with -9 loses the lock within
// its TTL + 2 s, and the next waiter gets it with a larger fencing token; a holder that
// only stops answering (paused, as a partitioned or stalled client) keeps it until its
// TTL has run out, and then learns that it lost it.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/child_process.h"
#include "tests/e2e/temp_dir.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kTtl = 3s;

std::filesystem::path paxoskvctl_binary() {
  if (const char* path = std::getenv("PAXOSKVCTL_BINARY"); path && *path) return path;
  return paxoskv_binary().parent_path() / "tools" / "ctl" / "paxoskvctl";
}

std::string endpoints_of(const TestCluster& cluster) {
  std::string endpoints;
  for (const int id : cluster.ids()) {
    if (!endpoints.empty()) endpoints += ',';
    endpoints += cluster.host(id) + ":" + std::to_string(cluster.client_port(id));
  }
  return endpoints;
}

// `paxoskvctl lock NAME --ttl 3s -- sleep 60`, its output in `log`.
ChildProcess start_lock(const TestCluster& cluster, const std::filesystem::path& log,
                        const std::string& name) {
  return ChildProcess({paxoskvctl_binary().string(), "--endpoints", endpoints_of(cluster), "lock",
                       name, "--ttl", "3s", "--", "sleep", "60"},
                      log);
}

// The fencing token a lock's "NAME TOKEN" line gives, once printed.
std::optional<std::uint64_t> fencing_token(const std::filesystem::path& log,
                                           const std::string& name) {
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(name + " ")) return std::stoull(line.substr(name.size() + 1));
  }
  return std::nullopt;
}

// Waits up to `limit` for the lock line; the token and when it was seen.
std::optional<std::pair<std::uint64_t, Clock::time_point>> await_token(
    const std::filesystem::path& log, const std::string& name, Clock::duration limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (auto token = fencing_token(log, name)) return std::make_pair(*token, Clock::now());
    std::this_thread::sleep_for(10ms);
  }
  return std::nullopt;
}

double seconds(Clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

}  // namespace

TEST_CASE("e2e: a lock holder killed with -9 loses the lock within its TTL + 2 s",
          "[e2e][lease][lock]") {
  TestCluster cluster;
  TempDir dir("paxoskv-e2e-lock");
  ChildProcess holder = start_lock(cluster, dir.path() / "holder.out", "locks/db");
  const auto held = await_token(dir.path() / "holder.out", "locks/db", 10s);
  REQUIRE(held);
  ChildProcess waiter = start_lock(cluster, dir.path() / "waiter.out", "locks/db");
  std::this_thread::sleep_for(1s);
  REQUIRE_FALSE(fencing_token(dir.path() / "waiter.out", "locks/db"));  // it waits

  const auto killed = Clock::now();
  holder.kill_and_reap();
  const auto taken = await_token(dir.path() / "waiter.out", "locks/db", kTtl + 10s);
  REQUIRE(taken);
  INFO("taken over " << seconds(taken->second - killed) << " s after the kill");
  CHECK(taken->second - killed <= kTtl + 2s);
  CHECK(taken->first > held->first);
}

TEST_CASE("e2e: a paused lock holder keeps the lock until its TTL ran out, then loses it",
          "[e2e][lease][lock]") {
  TestCluster cluster;
  TempDir dir("paxoskv-e2e-lock-pause");
  ChildProcess holder = start_lock(cluster, dir.path() / "holder.out", "locks/job");
  const auto held = await_token(dir.path() / "holder.out", "locks/job", 10s);
  REQUIRE(held);
  ChildProcess waiter = start_lock(cluster, dir.path() / "waiter.out", "locks/job");
  std::this_thread::sleep_for(500ms);

  // It sends a keepalive every third of its TTL: the last one went out at most a third
  // of the TTL before the pause, so the lease lives at least two thirds of it after.
  const auto paused = Clock::now();
  holder.send_signal(SIGSTOP);
  const auto taken = await_token(dir.path() / "waiter.out", "locks/job", kTtl + 10s);
  REQUIRE(taken);
  INFO("taken over " << seconds(taken->second - paused) << " s after the pause");
  CHECK(taken->second - paused >= kTtl * 2 / 3);
  CHECK(taken->second - paused <= kTtl + 2s);
  CHECK(taken->first > held->first);

  // Back, it learns at its next keepalive that it lost the lock: exit 11, its command
  // stopped.
  holder.send_signal(SIGCONT);
  const auto status = holder.wait_for_exit(10s);
  REQUIRE(status);
  REQUIRE(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 11);
}

TEST_CASE("e2e: a lock released by its holder goes to the waiter at once", "[e2e][lease][lock]") {
  TestCluster cluster;
  TempDir dir("paxoskv-e2e-lock-release");
  ChildProcess holder({paxoskvctl_binary().string(), "--endpoints", endpoints_of(cluster), "lock",
                       "locks/quick", "--ttl", "30s", "--", "sleep", "1"},
                      dir.path() / "holder.out");
  const auto held = await_token(dir.path() / "holder.out", "locks/quick", 10s);
  REQUIRE(held);
  ChildProcess waiter = start_lock(cluster, dir.path() / "waiter.out", "locks/quick");
  const auto status = holder.wait_for_exit(10s);
  REQUIRE(status);
  CHECK(WEXITSTATUS(*status) == 0);  // the command's own status
  const auto released = Clock::now();
  const auto taken = await_token(dir.path() / "waiter.out", "locks/quick", 10s);
  REQUIRE(taken);
  CHECK(taken->second - released < 2s);  // not the holder's 30 s TTL
  CHECK(taken->first > held->first);
}

}  // namespace paxoskv::e2e

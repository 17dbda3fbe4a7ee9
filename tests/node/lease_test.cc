// Leases through the embedded API: granted, kept alive without a write, read, revoked
// with their keys on every replica, and expired by the expiry duty no earlier than their
// TTL after the last keepalive answered ok.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "paxoskv/node.h"
#include "tests/node/embedded_cluster.h"

namespace paxoskv::node_test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

bool absent_everywhere(EmbeddedCluster& cluster, const std::string& key) {
  for (std::uint32_t id = 1; id <= cluster.size(); ++id) {
    if (cluster.node(id).get(key, Consistency::local).code != Errc::not_found) return false;
  }
  return true;
}

TEST_CASE("leases: granted, attached, read, kept alive and revoked", "[node][lease]") {
  EmbeddedCluster cluster;
  Node& one = cluster.node(1);
  const LeaseResult granted = one.grant_lease(10s);
  REQUIRE(granted.result.ok());
  CHECK(granted.lease.id.size() == 16);
  CHECK(granted.lease.ttl == 10s);
  CHECK(one.grant_lease(500ms).result.code == Errc::invalid_argument);
  CHECK(one.grant_lease(3601s).result.code == Errc::invalid_argument);

  const std::string id = granted.lease.id;
  CHECK(one.put_with_lease("svc/a", "1", std::nullopt, id).ok());
  CHECK(cluster.node(2).put_with_lease("lock/a", "me", 0, id).version == 1);
  CHECK(cluster.node(3).put_with_lease("lock/a", "you", 0, id).code == Errc::conflict);
  // Not a lease, or no such lease.
  CHECK(one.put_with_lease("svc/b", "1", std::nullopt, "xyz").code == Errc::not_found);
  CHECK(one.keep_alive("not-a-lease-id!").result.code == Errc::not_found);
  const Result unknown = one.put_with_lease("svc/b", "1", std::nullopt, "00000000000000ff");
  CHECK(unknown.code == Errc::not_found);
  CHECK(unknown.message == "lease not found");
  CHECK(one.get("svc/b").code == Errc::not_found);

  const LeaseResult renewed = cluster.node(3).keep_alive(id);
  REQUIRE(renewed.result.ok());
  CHECK(renewed.lease.remaining == 10s);
  CHECK(cluster.node(2).keep_alive("00000000000000ff").result.code == Errc::not_found);

  REQUIRE(eventually(2s, [&] { return cluster.node(3).lease(id).lease.keys.size() == 2; }));
  const LeaseResult info = cluster.node(3).lease(id);
  REQUIRE(info.result.ok());
  CHECK(info.lease.keys == std::vector<std::string>{"lock/a", "svc/a"});
  CHECK(info.lease.remaining <= 10s);
  CHECK(info.lease.remaining > 8s);

  // A key written again without the lease is no longer attached: the revoke leaves it.
  CHECK(one.put("svc/a", "2").ok());
  REQUIRE(eventually(2s, [&] { return cluster.node(2).lease(id).lease.keys.size() == 1; }));

  const Result revoked = cluster.node(2).revoke_lease(id);
  REQUIRE(revoked.ok());
  CHECK(eventually(2s, [&] { return absent_everywhere(cluster, "lock/a"); }));
  CHECK(one.get("lock/a").version == 2);  // the delete is a change
  CHECK(one.get("svc/a").value == "2");
  // Ended: not found for every call, and its id is never granted again.
  CHECK(one.revoke_lease(id).code == Errc::not_found);
  CHECK(one.keep_alive(id).result.code == Errc::not_found);
  CHECK(one.lease(id).result.code == Errc::not_found);
  CHECK(one.put_with_lease("svc/c", "1", std::nullopt, id).code == Errc::not_found);
}

TEST_CASE("leases: one whose keepalives stop expires after its TTL, not before", "[node][lease]") {
  EmbeddedCluster cluster;
  const LeaseResult granted = cluster.node(2).grant_lease(1s);
  REQUIRE(granted.result.ok());
  const std::string id = granted.lease.id;
  REQUIRE(cluster.node(1).put_with_lease("svc/x", "up", std::nullopt, id).ok());
  // Kept alive for 2.5 s: longer than the TTL, so only the keepalives keep it.
  Clock::time_point last_ok_sent{};
  for (int i = 0; i < 8; ++i) {
    const Clock::time_point sent = Clock::now();
    REQUIRE(cluster.node(static_cast<std::uint32_t>(1 + i % 3)).keep_alive(id).result.ok());
    last_ok_sent = sent;
    std::this_thread::sleep_for(300ms);
    REQUIRE(cluster.node(1).get("svc/x").ok());
  }
  REQUIRE(eventually(
      5s, [&] { return absent_everywhere(cluster, "svc/x"); }, 5ms));
  const auto gone_after = Clock::now() - last_ok_sent;
  CHECK(gone_after >= 1s);
  CHECK(gone_after <= 3s);
  CHECK(cluster.node(3).keep_alive(id).result.code == Errc::not_found);
}

TEST_CASE("leases: a restarted replica rebuilds its lease table from its store", "[node][lease]") {
  EmbeddedCluster cluster;
  const LeaseResult granted = cluster.node(2).grant_lease(30s);
  REQUIRE(granted.result.ok());
  const std::string id = granted.lease.id;
  REQUIRE(cluster.node(2).put_with_lease("svc/r", "up", std::nullopt, id).ok());
  REQUIRE(eventually(2s, [&] { return cluster.node(1).lease(id).lease.keys.size() == 1; }));
  cluster.restart(1);
  const LeaseResult info = cluster.node(1).lease(id);
  REQUIRE(info.result.ok());
  CHECK(info.lease.keys == std::vector<std::string>{"svc/r"});
  // A restart forgets the keepalives: the replica counts its start as the last one.
  CHECK(info.lease.remaining > 25s);
  REQUIRE(cluster.node(1).revoke_lease(id).ok());
  CHECK(eventually(2s, [&] { return absent_everywhere(cluster, "svc/r"); }));
}

TEST_CASE("leases: kept alive across a membership change, then expired by the new members",
          "[node][lease][membership]") {
  EmbeddedCluster cluster;
  REQUIRE(eventually(5s, [&] { return cluster.connected(); }));
  const LeaseResult granted = cluster.node(1).grant_lease(2s);
  REQUIRE(granted.result.ok());
  const std::string id = granted.lease.id;
  REQUIRE(cluster.node(1).put_with_lease("svc/m", "up", std::nullopt, id).ok());

  const std::string address = "127.0.0.1:" + std::to_string(pick_free_ports(1).front());
  TempDir dir("paxoskv-lease-join");
  Options options = cluster.options_of(1);
  options.id = 4;
  options.data_dir = (dir.path() / "data-4").string();
  options.cluster[4] = address;
  options.join = true;
  // Kept alive every 400 ms while replica 4 is added and replica 1 removed.
  std::atomic<bool> stop{false};
  std::atomic<int> renewed{0};
  std::thread keeper([&] {
    while (!stop) {
      if (cluster.node(2).keep_alive(id).result.ok()) ++renewed;
      std::this_thread::sleep_for(400ms);
    }
  });
  REQUIRE(cluster.node(2).add_member(4, address).result.ok());
  auto joined = std::make_unique<Node>(options);
  REQUIRE(eventually(10s, [&] { return joined->membership().config_version == 2; }));
  REQUIRE(cluster.node(3).remove_member(1).result.ok());
  std::this_thread::sleep_for(2500ms);  // longer than the TTL: only the keepalives keep it
  CHECK(cluster.node(2).get("svc/m").ok());
  stop = true;
  keeper.join();
  CHECK(renewed > 5);
  // The keepalives stopped: the members now (2, 3, 4) expire it and delete its key.
  CHECK(eventually(6s, [&] {
    return joined->get("svc/m", Consistency::local).code == Errc::not_found &&
           cluster.node(2).get("svc/m", Consistency::local).code == Errc::not_found;
  }));
  CHECK(joined->keep_alive(id).result.code == Errc::not_found);
}

TEST_CASE("leases: the expiry duty passes on when its holder stops", "[node][lease]") {
  EmbeddedCluster cluster;
  const LeaseResult granted = cluster.node(3).grant_lease(1s);
  REQUIRE(granted.result.ok());
  REQUIRE(cluster.node(3).put_with_lease("svc/y", "up", std::nullopt, granted.lease.id).ok());
  cluster.stop(1);  // the lowest id: the duty's holder
  CHECK(eventually(6s, [&] {
    return cluster.node(2).get("svc/y", Consistency::local).code == Errc::not_found &&
           cluster.node(3).get("svc/y", Consistency::local).code == Errc::not_found;
  }));
}

// Keepalives write nothing: how many a three-replica cluster answers per second, each
// renewing one of many leases, with a window of them in flight (run by hand).
TEST_CASE("leases: keepalives per second (benchmark)", "[node][lease][benchmark]") {
  EmbeddedCluster cluster;
  constexpr int kLeases = 1000;
  constexpr int kKeepalives = 50000;
  constexpr int kWindow = 256;
  std::vector<std::string> ids;
  for (int i = 0; i < kLeases; ++i) {
    const LeaseResult granted = cluster.node(1 + i % 3).grant_lease(60s);
    REQUIRE(granted.result.ok());
    ids.push_back(granted.lease.id);
  }
  std::mutex mutex;
  std::condition_variable done_cv;
  int sent = 0, done = 0, failed = 0;
  std::function<void()> send_one;
  send_one = [&] {
    int n = 0;
    {
      const std::lock_guard lock(mutex);
      if (sent == kKeepalives) return;
      n = sent++;
    }
    const auto replica = static_cast<std::uint32_t>(1 + n % 3);
    cluster.node(replica).keep_alive(ids[static_cast<std::size_t>(n % kLeases)],
                                     [&](LeaseResult result) {
                                       send_one();
                                       // Notified under the lock: the waiter may return
                                       // (and end what it owns) as soon as it is free.
                                       const std::lock_guard lock(mutex);
                                       ++done;
                                       if (!result.result.ok()) ++failed;
                                       done_cv.notify_all();
                                     });
  };
  const auto started = Clock::now();
  for (int i = 0; i < kWindow; ++i) send_one();
  std::unique_lock lock(mutex);
  done_cv.wait(lock, [&] { return done == kKeepalives; });
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::cout << "benchmark: " << kKeepalives << " keepalives of " << kLeases << " leases, "
            << kWindow << " in flight, through 3 replicas: " << kKeepalives / seconds
            << " per second, " << failed << " failed\n";
  CHECK(failed == 0);
}

}  // namespace
}  // namespace paxoskv::node_test

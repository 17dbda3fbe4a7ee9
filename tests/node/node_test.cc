// The embeddable Node API, driven in-process on a three-replica cluster.
#include "paxoskv/node.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/node/embedded_cluster.h"

namespace paxoskv::node_test {
namespace {

using namespace std::chrono_literals;

std::string describe(const Result& result) {
  std::ostringstream out;
  out << to_string(result.code) << " version " << result.version;
  if (result.value) out << " value '" << *result.value << "'";
  if (!result.message.empty()) out << " (" << result.message << ")";
  return out.str();
}

// Versions a watch delivered, in delivery order, with their values; filled on a replica's
// thread, read by the test's.
class Deliveries {
 public:
  void add(const Change& change) {
    std::lock_guard lock(mutex_);
    changes_.push_back(change);
  }
  std::vector<Change> snapshot() const {
    std::lock_guard lock(mutex_);
    return changes_;
  }
  std::uint64_t last_version() const {
    std::lock_guard lock(mutex_);
    return changes_.empty() ? 0 : changes_.back().version;
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return changes_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Change> changes_;
};

std::vector<std::uint64_t> versions_of(const std::vector<Change>& changes) {
  std::vector<std::uint64_t> versions;
  for (const Change& change : changes) versions.push_back(change.version);
  return versions;
}

// Empty if `versions` is strictly increasing, else where it is not.
std::string order_violations(const std::vector<std::uint64_t>& versions) {
  std::ostringstream out;
  for (std::size_t i = 1; i < versions.size(); ++i) {
    if (versions[i] <= versions[i - 1]) {
      out << "delivery " << i << ": version " << versions[i] << " after " << versions[i - 1]
          << (versions[i] == versions[i - 1] ? " (duplicate)" : " (out of order)") << "\n";
    }
  }
  return out.str();
}

// The versions in 1..last that `versions` lacks.
std::vector<std::uint64_t> missing_versions(const std::vector<std::uint64_t>& versions,
                                            std::uint64_t last) {
  std::vector<bool> seen(last + 1, false);
  for (std::uint64_t version : versions) {
    if (version <= last) seen[version] = true;
  }
  std::vector<std::uint64_t> missing;
  for (std::uint64_t version = 1; version <= last; ++version) {
    if (!seen[version]) missing.push_back(version);
  }
  return missing;
}

std::string join(const std::vector<std::uint64_t>& numbers) {
  std::ostringstream out;
  for (std::size_t i = 0; i < numbers.size(); ++i) out << (i ? " " : "") << numbers[i];
  return out.str();
}

TEST_CASE("node: put, get, compare-and-set, remove", "[node]") {
  EmbeddedCluster cluster;
  Node& one = cluster.node(1);

  const Result put = one.put("greeting", "hello");
  INFO(describe(put));
  REQUIRE(put.ok());
  CHECK(put.version == 1);

  const Result read = one.get("greeting");
  CHECK(read.ok());
  CHECK(read.version == 1);
  CHECK(read.value == "hello");

  // Linearizable on every replica; local reads catch up.
  const Result from_three = cluster.node(3).get("greeting", Consistency::linearizable);
  CHECK(from_three.value == "hello");
  CHECK(from_three.version == 1);
  CHECK(eventually(
      5s, [&] { return cluster.node(2).get("greeting", Consistency::local).value == "hello"; }));
  const Result absent = one.get("never-written");
  CHECK(absent.code == Errc::not_found);
  CHECK(absent.version == 0);
  CHECK_FALSE(absent.value);

  SECTION("compare-and-set") {
    const Result create = one.compare_and_set("cas", 0, "a");
    INFO(describe(create));
    REQUIRE(create.ok());
    CHECK(create.version == 1);
    const Result again = one.compare_and_set("cas", 0, "b");
    CHECK(again.code == Errc::conflict);
    CHECK(again.version == 1);
    const Result next = cluster.node(2).compare_and_set("cas", 1, "b");
    CHECK(next.ok());
    CHECK(next.version == 2);
    const Result stale = one.compare_and_set("cas", 1, "c");
    CHECK(stale.code == Errc::conflict);
    CHECK(stale.version == 2);
    CHECK(one.get("cas").value == "b");
  }

  SECTION("remove keeps the version") {
    const Result missing = one.remove("absent");
    CHECK(missing.code == Errc::not_found);
    CHECK(one.put("doomed", "x").version == 1);
    CHECK(one.remove("doomed", 7).code == Errc::conflict);
    const Result removed = one.remove("doomed", 1);
    INFO(describe(removed));
    CHECK(removed.ok());
    CHECK(removed.version == 2);
    const Result gone = cluster.node(2).get("doomed");
    CHECK(gone.code == Errc::not_found);
    CHECK(gone.version == 2);
    CHECK(one.remove("doomed").code == Errc::not_found);
    CHECK(one.compare_and_set("doomed", 0, "back").version == 3);
  }

  SECTION("list pages in key order") {
    std::vector<std::string> written;
    for (int i = 0; i < 25; ++i) {
      const std::string key = "list/" + std::string(i < 10 ? "0" : "") + std::to_string(i);
      REQUIRE(one.put(key, "v" + std::to_string(i)).ok());
      written.push_back(key);
    }
    REQUIRE(one.put("listless", "not under the prefix").ok());
    std::vector<std::string> listed;
    std::string after;
    int pages = 0;
    while (true) {
      const ListResult page = one.list("list/", after, 10);
      ++pages;
      REQUIRE(pages <= 3);
      for (const Entry& entry : page.items) {
        listed.push_back(entry.key);
        CHECK(entry.version == 1);
        CHECK(entry.value == "v" + std::to_string(std::stoi(entry.key.substr(5))));
      }
      CHECK(page.index >= 26);
      if (!page.more) break;
      CHECK(page.items.size() == 10);
      after = page.items.back().key;
    }
    CHECK(pages == 3);
    CHECK(listed == written);
    CHECK(one.list("nothing/").items.empty());
    CHECK_FALSE(one.list("nothing/").more);
  }
}

TEST_CASE("node: invalid arguments are refused", "[node]") {
  EmbeddedCluster cluster;
  Node& one = cluster.node(1);
  CHECK(one.put("", "v").code == Errc::invalid_argument);
  CHECK(one.get("").code == Errc::invalid_argument);
  CHECK(one.put(std::string("a\0b", 3), "v").code == Errc::invalid_argument);
  CHECK(one.compare_and_set(std::string("\0", 1), 0, "v").code == Errc::invalid_argument);
  CHECK(one.remove("").code == Errc::invalid_argument);
  CHECK(one.put(std::string(1025, 'k'), "v").code == Errc::invalid_argument);
  CHECK(one.put(std::string(1024, 'k'), "v").ok());
  const std::size_t limit = one.options().max_value_bytes;
  CHECK(one.put("big", std::string(limit + 1, 'x')).code == Errc::invalid_argument);
  CHECK(one.compare_and_set("big", 0, std::string(limit + 1, 'x')).code == Errc::invalid_argument);
  const Result at_limit = one.put("big", std::string(limit, 'x'));
  INFO(describe(at_limit));
  CHECK(at_limit.ok());
  CHECK(one.get("big").value->size() == limit);
}

TEST_CASE("node: a key limit above what peers accept is refused at start", "[node]") {
  // Peers refuse keys longer than kKeyBytesLimit on the wire: a replica that took one from
  // a client could never get it chosen.
  TempDir dir("paxoskv-key-limit");
  Options options;
  options.id = 1;
  options.cluster = {{1, "127.0.0.1:1"}};
  options.data_dir = (dir.path() / "data").string();
  options.max_key_bytes = kKeyBytesLimit + 1;
  CHECK_THROWS_AS(Node(options), std::invalid_argument);
}

TEST_CASE("node: the error table gives each failure its text and HTTP status", "[node]") {
  const Result conflict = Result::failure(Errc::conflict, 7);
  CHECK(conflict.code == Errc::conflict);
  CHECK(conflict.version == 7);
  CHECK(conflict.message == "version mismatch");
  CHECK(Result::failure(Errc::no_quorum, 0, "outcome unknown").message == "outcome unknown");
  CHECK(to_string(Errc::no_space) == "no space");
  CHECK(describe(Errc::no_space).http_status == 507);
  CHECK(describe(Errc::not_found).http_status == 404);
  CHECK(describe(Errc::no_quorum).http_status == 503);
}

TEST_CASE("node: asynchronous calls deliver their results", "[node]") {
  EmbeddedCluster cluster;
  Node& one = cluster.node(1);
  const auto call = [](auto start) {
    std::promise<Result> promise;
    std::future<Result> future = promise.get_future();
    start([&promise](Result result) { promise.set_value(std::move(result)); });
    REQUIRE(future.wait_for(10s) == std::future_status::ready);
    return future.get();
  };

  const Result put = call([&](Node::Callback done) { one.put("async", "1", std::move(done)); });
  CHECK(put.ok());
  CHECK(put.version == 1);
  const Result cas =
      call([&](Node::Callback done) { one.compare_and_set("async", 1, "2", std::move(done)); });
  CHECK(cas.version == 2);
  const Result conflict =
      call([&](Node::Callback done) { one.compare_and_set("async", 1, "3", std::move(done)); });
  CHECK(conflict.code == Errc::conflict);
  CHECK(conflict.version == 2);
  const Result read = call([&](Node::Callback done) {
    cluster.node(2).get("async", Consistency::linearizable, std::move(done));
  });
  CHECK(read.value == "2");
  const Result local =
      call([&](Node::Callback done) { one.get("async", Consistency::local, std::move(done)); });
  CHECK(local.value == "2");
  const Result removed =
      call([&](Node::Callback done) { one.remove("async", std::nullopt, std::move(done)); });
  CHECK(removed.version == 3);
  const Result invalid = call([&](Node::Callback done) { one.put("", "v", std::move(done)); });
  CHECK(invalid.code == Errc::invalid_argument);
  // A long poll answers when the key changes, with its new state.
  std::promise<Result> waited;
  std::future<Result> waited_future = waited.get_future();
  cluster.node(3).wait("async", 3, 10s,
                       [&waited](Result result) { waited.set_value(std::move(result)); });
  CHECK(cluster.node(2).put("async", "4").version == 4);
  REQUIRE(waited_future.wait_for(10s) == std::future_status::ready);
  const Result woken = waited_future.get();
  CHECK(woken.version == 4);
  CHECK(woken.value == "4");
}

TEST_CASE("node: calls after shutdown fail with shutting_down", "[node]") {
  EmbeddedCluster cluster;
  Node& one = cluster.node(1);
  REQUIRE(one.put("k", "v").ok());
  one.shutdown();
  CHECK(one.put("k", "w").code == Errc::shutting_down);
  CHECK(one.compare_and_set("k", 1, "w").code == Errc::shutting_down);
  CHECK(one.remove("k").code == Errc::shutting_down);
  CHECK(one.get("k").code == Errc::shutting_down);
  std::promise<Result> promise;
  std::future<Result> future = promise.get_future();
  one.put("k", "w", [&promise](Result result) { promise.set_value(std::move(result)); });
  REQUIRE(future.wait_for(10s) == std::future_status::ready);
  CHECK(future.get().code == Errc::shutting_down);
  std::promise<Result> waited;
  std::future<Result> waited_future = waited.get_future();
  one.wait("k", 1, 10s, [&waited](Result result) { waited.set_value(std::move(result)); });
  REQUIRE(waited_future.wait_for(10s) == std::future_status::ready);
  CHECK(waited_future.get().code == Errc::shutting_down);
  // The others still serve, and the value is there.
  CHECK(cluster.node(2).get("k").value == "v");
}

// A counter from the node's Prometheus text, 0 if absent.
double metric_value(const Node& node, const std::string& name) {
  std::istringstream lines(node.metrics_text());
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(name + " ")) return std::stod(line.substr(name.size() + 1));
  }
  return 0;
}

TEST_CASE("node: a watch sees every version once, in order, while writers race", "[node]") {
  constexpr int kWriters = 4;
  constexpr auto kRaceFor = 2s;
  const std::string key = "race/key";
  EmbeddedCluster cluster;

  Deliveries key_watch;     // replica 2, watch(key, 0)
  Deliveries prefix_watch;  // replica 3, watch_prefix("race/", 0)
  auto key_handle =
      cluster.node(2).watch(key, 0, [&key_watch](const Change& change) { key_watch.add(change); });
  auto prefix_handle = cluster.node(3).watch_prefix(
      "race/", 0, [&prefix_watch](const Change& change) { prefix_watch.add(change); });

  std::mutex mutex;
  std::map<std::uint64_t, std::string> written;  // version -> value, from acknowledged writes
  std::vector<std::string> errors;
  std::atomic<int> unknown_outcomes = 0;
  std::atomic<bool> racing = true;
  std::vector<std::thread> writers;
  for (int writer = 0; writer < kWriters; ++writer) {
    Node& via = cluster.node(writer < kWriters / 2 ? 1 : 3);
    writers.emplace_back([&, writer, &via = via] {
      std::uint64_t expected = 0;
      int attempt = 0;
      while (racing) {
        const std::string value = "w" + std::to_string(writer) + "-" + std::to_string(attempt++);
        const Result result = via.compare_and_set(key, expected, value);
        if (result.ok()) {
          std::lock_guard lock(mutex);
          if (!written.emplace(result.version, value).second) {
            errors.push_back("version " + std::to_string(result.version) + " acknowledged twice");
          }
          expected = result.version;
        } else if (result.code == Errc::conflict) {
          expected = result.version;
        } else if (result.code == Errc::no_quorum) {
          ++unknown_outcomes;
          const Result current = via.get(key);
          if (current.ok()) expected = current.version;
        } else {
          std::lock_guard lock(mutex);
          errors.push_back("writer " + std::to_string(writer) + ": " + describe(result));
          return;
        }
      }
    });
  }
  std::this_thread::sleep_for(kRaceFor);
  racing = false;
  for (std::thread& writer : writers) writer.join();

  const Result final_state = cluster.node(1).get(key);
  INFO(describe(final_state));
  REQUIRE(final_state.ok());
  const std::uint64_t final_version = final_state.version;
  CHECK(errors.empty());
  for (const std::string& error : errors) UNSCOPED_INFO(error);
  if (unknown_outcomes == 0) CHECK(written.size() == final_version);
  CHECK(eventually(10s, [&] { return key_watch.last_version() == final_version; }));
  CHECK(eventually(10s, [&] { return prefix_watch.last_version() == final_version; }));
  key_handle.reset();
  prefix_handle.reset();

  const std::vector<Change> key_changes = key_watch.snapshot();
  const std::vector<std::uint64_t> key_versions = versions_of(key_changes);
  const std::vector<std::uint64_t> prefix_versions = versions_of(prefix_watch.snapshot());
  const std::vector<std::uint64_t> key_missing = missing_versions(key_versions, final_version);
  const std::vector<std::uint64_t> prefix_missing =
      missing_versions(prefix_versions, final_version);
  std::cout << "watch race: " << final_version << " versions by " << kWriters << " writers in 2 s ("
            << unknown_outcomes << " unknown outcomes); replica 2 key "
            << "watch delivered " << key_versions.size() << ", replica 3 prefix watch delivered "
            << prefix_versions.size() << "\n";
  if (!key_missing.empty()) {
    std::cout << "watch race: replica 2's key watch skipped " << key_missing.size()
              << " versions: " << join(key_missing) << "\n";
  }
  if (!prefix_missing.empty()) {
    std::cout << "watch race: replica 3's prefix watch skipped " << prefix_missing.size()
              << " versions (allowed: it delivers the latest state per key): "
              << join(prefix_missing) << "\n";
  }

  REQUIRE(final_version > 0);
  CHECK(order_violations(key_versions).empty());
  INFO(order_violations(key_versions));
  CHECK(order_violations(prefix_versions).empty());
  INFO(order_violations(prefix_versions));
  for (const Change& change : key_changes) {
    const auto it = written.find(change.version);
    if (it != written.end()) CHECK(change.value == it->second);
  }
  // Replica 2 is up and connected throughout and applies the key's versions in order, but
  // with writers racing on two other replicas, a later state can reach it before an
  // earlier one, which it then never applies (it counts those). The watch must deliver
  // every version the replica did apply.
  const double skipped_by_replica =
      metric_value(cluster.node(2), "paxoskv_paxos_versions_skipped_total");
  INFO("versions replica 2's key watch skipped: " << join(key_missing));
  CHECK(static_cast<double>(key_missing.size()) <= skipped_by_replica);
}

TEST_CASE("node: a watch resumes across a restart of its replica", "[node]") {
  const std::string key = "resume";
  EmbeddedCluster cluster;
  Deliveries deliveries;
  const auto collect = [&deliveries](const Change& change) { deliveries.add(change); };

  auto handle = cluster.node(2).watch(key, 0, collect);
  for (int i = 1; i <= 5; ++i)
    REQUIRE(cluster.node(1).put(key, "before-" + std::to_string(i)).ok());
  REQUIRE(eventually(10s, [&] { return deliveries.last_version() == 5; }));

  // The handle goes first: it must not outlive its Node.
  handle.reset();
  const std::uint64_t last_seen = deliveries.last_version();
  cluster.stop(2);
  for (int i = 1; i <= 5; ++i) REQUIRE(cluster.node(1).put(key, "down-" + std::to_string(i)).ok());
  cluster.start(2);
  handle = cluster.node(2).watch(key, last_seen, collect);
  // Writes made before the other replicas reconnect to it skip replica 2 as well.
  REQUIRE(eventually(10s, [&] { return cluster.connected(); }));
  for (int i = 1; i <= 3; ++i) REQUIRE(cluster.node(1).put(key, "after-" + std::to_string(i)).ok());
  const std::uint64_t final_version = cluster.node(1).get(key).version;
  REQUIRE(final_version == 13);
  CHECK(eventually(10s, [&] { return deliveries.last_version() == final_version; }));
  handle.reset();

  // Versions 6..10 were written while replica 2 was down: the resumed watch may skip some
  // of them (the replica catches up to the latest state, not through every version, as
  // Node::watch documents), but it never delivers a version twice, never goes back, and
  // ends at the latest.
  const std::vector<Change> changes = deliveries.snapshot();
  const std::vector<std::uint64_t> versions = versions_of(changes);
  std::cout << "watch resume: delivered versions " << join(versions) << "\n";
  INFO("delivered versions: " << join(versions));
  CHECK(order_violations(versions).empty());
  REQUIRE_FALSE(versions.empty());
  CHECK(versions.back() == final_version);
  CHECK(changes.back().value == "after-3");
  CHECK(missing_versions(versions, 5).empty());
}

TEST_CASE("node: a restarted replica pulls only the changes it missed", "[node]") {
  constexpr int kKeys = 300;
  constexpr int kMissed = 10;
  const std::string pulled = "paxoskv_sync_entries_received_total";
  EmbeddedCluster cluster;
  for (int i = 0; i < kKeys; ++i) {
    REQUIRE(cluster.node(1).put("before/" + std::to_string(i), "v").ok());
  }
  // Anti-entropy sends replica 3 every key from each of its two peers, at least once.
  REQUIRE(eventually(10s, [&] { return metric_value(cluster.node(3), pulled) >= 2 * kKeys; }));
  std::this_thread::sleep_for(1500ms);  // one more round: the cursors are saved

  cluster.stop(3);
  for (int i = 0; i < kMissed; ++i) {
    REQUIRE(cluster.node(1).put("missed/" + std::to_string(i), "v").ok());
  }
  cluster.start(3);
  // The missed keys arrive without being used on replica 3.
  CHECK(eventually(
      10s, [&] { return cluster.node(3).list("missed/", {}, 100).items.size() == kMissed; }));
  std::this_thread::sleep_for(1500ms);
  const double after_restart = metric_value(cluster.node(3), pulled);
  std::cout << "restart: replica 3 pulled " << after_restart << " key states (" << kMissed
            << " missed, " << kKeys << " known)\n";
  // Each peer sends what changed after the cursor it saved: the missed keys (and maybe a
  // few written just before the stop), not everything again.
  CHECK(after_restart >= kMissed);
  CHECK(after_restart < kKeys);
}

TEST_CASE("node: cancelling a watch", "[node]") {
  EmbeddedCluster cluster;
  Node& one = cluster.node(1);

  SECTION("from inside its callback") {
    std::atomic<int> calls = 0;
    std::unique_ptr<WatchHandle> handle;
    handle = one.watch("cancel", 0, [&](const Change&) {
      ++calls;
      handle.reset();
    });
    // Written only once `handle` is set, so the first call finds it.
    REQUIRE(one.put("cancel", "1").ok());
    REQUIRE(eventually(5s, [&] { return calls == 1; }));
    REQUIRE(one.put("cancel", "2").ok());
    REQUIRE(one.put("cancel", "3").ok());
    std::this_thread::sleep_for(300ms);
    CHECK(calls == 1);
  }

  SECTION("no callback after the handle is destroyed") {
    std::atomic<int> key_calls = 0;
    std::atomic<int> prefix_calls = 0;
    auto key_handle = one.watch("cancel/a", 0, [&](const Change&) { ++key_calls; });
    auto prefix_handle = one.watch_prefix("cancel/", 0, [&](const Change&) { ++prefix_calls; });
    REQUIRE(one.put("cancel/a", "1").ok());
    REQUIRE(eventually(5s, [&] { return key_calls == 1 && prefix_calls == 1; }));
    key_handle.reset();
    prefix_handle.reset();
    for (int i = 0; i < 3; ++i) {
      REQUIRE(one.put("cancel/a", "more").ok());
      REQUIRE(cluster.node(2).put("cancel/b", "more").ok());
    }
    std::this_thread::sleep_for(300ms);
    CHECK(key_calls == 1);
    CHECK(prefix_calls == 1);
  }
}

TEST_CASE("node: puts with 2,000 open long polls (benchmark)", "[node][benchmark]") {
  constexpr int kPuts = 500;
  constexpr int kLongPolls = 2000;
  std::atomic<int> released = 0;  // outlives the cluster: the polls answer at shutdown
  EmbeddedCluster cluster;
  Node& one = cluster.node(1);

  const auto puts_per_second = [&](const std::string& round) {
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < kPuts; ++i) {
      const Result result = one.put("bench/" + round + "/" + std::to_string(i % 50), "value");
      if (!result.ok()) FAIL("put failed: " << describe(result));
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    return kPuts / took.count();
  };

  puts_per_second("warmup");
  const double without_polls = puts_per_second("idle");
  for (int i = 0; i < kLongPolls; ++i) {
    one.wait("polled/" + std::to_string(i), 0, 30s, [&released](Result) { ++released; });
  }
  // Every poll is registered before the second round (they run in order on the replica).
  REQUIRE(one.put("bench/barrier", "x").ok());
  CHECK(released == 0);
  const double with_polls = puts_per_second("polled");
  const double ratio = with_polls / without_polls;
  std::cout << "benchmark: " << kPuts << " blocking puts on replica 1: " << without_polls
            << " puts/s with no long polls, " << with_polls << " puts/s with " << kLongPolls
            << " open long polls, ratio " << ratio << " (target >= 0.9, asserted >= 0.5)\n";
  CHECK(ratio >= 0.5);
  CHECK(released == 0);

  one.shutdown();  // answers every long poll
  CHECK(released == kLongPolls);
}

}  // namespace
}  // namespace paxoskv::node_test

// A replica whose disk fails a write stops for good, acknowledges nothing of it, marks its
// data dir, and starts again on that dir only when told to.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "paxoskv/node.h"
#include "src/disk_failure_marker.h"
#include "src/replica.h"
#include "tests/kvstore/fault_env.h"
#include "tests/node/embedded_cluster.h"

namespace paxoskv::node_test {
namespace {

using kvstore::testing::FaultInjectingEnv;
using kvstore::testing::LogFault;

// One replica (a cluster of one) on a store with injectable faults, run on its own thread.
class FaultyReplica {
 public:
  FaultyReplica(const Options& options, FaultInjectingEnv& env)
      : work_(boost::asio::make_work_guard(io_)),
        replica_(std::make_unique<Replica>(io_, options, kvstore::StoreOptions{&env})) {
    replica_->start([](const std::optional<std::string>&) {});  // no peers: at once
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FaultyReplica() {
    boost::asio::post(io_, [this] { replica_->stop(); });
    work_.reset();
    thread_.join();
    replica_.reset();
  }
  FaultyReplica(const FaultyReplica&) = delete;
  FaultyReplica& operator=(const FaultyReplica&) = delete;

  Result put(const std::string& key, const std::string& value) {
    return submit_all({{key, consensus::PutOp{value, std::nullopt}}}).front();
  }

  // Submits the operations together, in one turn of the replica's thread: their records
  // go to the store in order, and none is answered before the writes it follows.
  std::vector<Result> submit_all(
      const std::vector<std::pair<std::string, consensus::Operation>>& operations) {
    std::vector<std::shared_ptr<std::promise<Result>>> answers;
    for (std::size_t i = 0; i < operations.size(); ++i) {
      answers.push_back(std::make_shared<std::promise<Result>>());
    }
    boost::asio::post(io_, [this, operations, answers] {
      for (std::size_t i = 0; i < operations.size(); ++i) {
        replica_->submit(operations[i].first, operations[i].second,
                         [answer = answers[i]](Result result) { answer->set_value(result); });
      }
    });
    std::vector<Result> results;
    for (const auto& answer : answers) results.push_back(answer->get_future().get());
    return results;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<Replica> replica_;
  std::thread thread_;
};

// A cluster of one, its data in `dir`.
Options single_replica_options(const TempDir& dir) {
  Options options;
  options.id = 1;
  options.cluster = {{1, "127.0.0.1:" + std::to_string(pick_free_ports(1).front())}};
  options.data_dir = (dir.path() / "data").string();
  return options;
}

std::string contents(const std::filesystem::path& path) {
  std::ifstream file(path);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

TEST_CASE("replica: a failed fsync stops it for good, unacknowledged, and marks its data dir",
          "[node][disk]") {
  TempDir dir("paxoskv-disk-failure");
  Options options = single_replica_options(dir);
  auto failure = std::make_shared<std::promise<std::string>>();
  options.on_disk_failure = [failure](const std::string& error) { failure->set_value(error); };
  const std::filesystem::path marker = dir.path() / "data" / kDiskFailureMarker;

  {
    FaultInjectingEnv env;
    FaultyReplica replica(options, env);
    REQUIRE(replica.put("before", "1").ok());

    env.arm(LogFault::kFailedSync);
    // A write whose sync fails, and a read queued behind it: neither is answered but with
    // shutting_down, since the read waits for the write's records.
    const std::vector<Result> failed = replica.submit_all(
        {{"during", consensus::PutOp{"2", std::nullopt}}, {"before", consensus::ReadOp{}}});
    CHECK(env.fired());
    CHECK(failed[0].code == Errc::shutting_down);
    CHECK(failed[1].code == Errc::shutting_down);
    auto reported = failure->get_future();
    REQUIRE(reported.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    CHECK_THAT(reported.get(), Catch::Contains("injected sync failure"));
    REQUIRE(std::filesystem::exists(marker));
    CHECK_THAT(contents(marker), Catch::Contains("injected sync failure"));

    // Stopped: nothing more is taken.
    CHECK(replica.put("after", "3").code == Errc::shutting_down);
  }

  Options restart = options;
  restart.on_disk_failure = nullptr;
  CHECK_THROWS_AS(Node(restart), StartRefused);
  CHECK(std::filesystem::exists(marker));

  restart.allow_after_disk_failure = true;
  Node node(restart);
  CHECK_FALSE(std::filesystem::exists(marker));
  CHECK(node.get("before").value == std::optional<std::string>("1"));
  CHECK(node.put("after restart", "4").ok());
}

TEST_CASE("replica: a write whose applied state fails to be written is not acknowledged",
          "[node][disk]") {
  TempDir dir("paxoskv-disk-failure");
  Options options = single_replica_options(dir);
  FaultInjectingEnv env;
  FaultyReplica replica(options, env);
  REQUIRE(replica.put("key", "1").ok());
  // The next put of the key (phase 1 is behind it) writes its acceptance, then its chosen
  // state with the answer to the client: that second write fails.
  env.arm(LogFault::kTornAppend, 1);
  CHECK(replica.put("key", "2").code == Errc::shutting_down);
  CHECK(env.fired());
  CHECK(std::filesystem::exists(dir.path() / "data" / kDiskFailureMarker));
}

}  // namespace
}  // namespace paxoskv::node_test

// Anti-entropy against a peer whose change index goes back and grows again between two
// polls, as after a power loss: the peer's sync replies carry the epoch of its change
// index, and a replica whose cursor belongs to another epoch pulls again from the start.
// Replica 2 is played by the test, over the real peer transport.
#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "paxoskv/node.h"
#include "src/cluster_identity.h"
#include "src/transport/transport.h"
#include "tests/node/embedded_cluster.h"

namespace paxoskv::node_test {
namespace {

using namespace std::chrono_literals;

struct LoggedChange {
  std::uint64_t index = 0;  // in the peer's change index
  std::string key;
  std::string value;  // every key at version 1
};

// Replica 2 of a two-replica cluster: answers sync requests from the change log the test
// gives it, in the epoch the test names, and ignores everything else.
class FakePeer {
 public:
  FakePeer(const Options& replica_options, consensus::NodeId self)
      : work_(boost::asio::make_work_guard(io_)),
        transport_(io_, self, cluster_fingerprint(replica_options),
                   {{replica_options.id, replica_options.cluster.at(replica_options.id)}},
                   replica_options.cluster.at(self),
                   [this](consensus::NodeId from, PeerMessage message) {
                     if (const auto* request = std::get_if<anti_entropy::SyncRequest>(&message)) {
                       transport_.send(from, reply_to(*request));
                     }
                   }) {
    transport_.start();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~FakePeer() {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  FakePeer(const FakePeer&) = delete;
  FakePeer& operator=(const FakePeer&) = delete;

  // The highest change index a request asked to pull after: the replica's cursor.
  std::uint64_t asked_after() {
    std::lock_guard lock(mutex_);
    return asked_after_;
  }

  void set_log(std::uint64_t epoch, std::vector<LoggedChange> log) {
    std::lock_guard lock(mutex_);
    epoch_ = epoch;
    log_ = std::move(log);
  }

 private:
  anti_entropy::SyncReply reply_to(const anti_entropy::SyncRequest& request) {
    std::lock_guard lock(mutex_);
    asked_after_ = std::max(asked_after_, request.after_index);
    anti_entropy::SyncReply reply;
    reply.epoch = epoch_;
    reply.next_index = log_.empty() ? 0 : log_.back().index;
    for (const LoggedChange& change : log_) {
      if (change.index <= request.after_index) continue;
      reply.entries.push_back(consensus::CatchUpReply{change.key, 1, change.value, {}});
    }
    return reply;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  PeerTransport transport_;
  std::thread thread_;
  std::mutex mutex_;
  std::uint64_t epoch_ = 0;
  std::vector<LoggedChange> log_;
  std::uint64_t asked_after_ = 0;
};

TEST_CASE("a peer's change index renumbered between two polls is pulled again",
          "[node][anti-entropy]") {
  TempDir dir("paxoskv-epoch");
  const std::vector<std::uint16_t> ports = pick_free_ports(2);
  Options options;
  options.id = 1;
  options.cluster = {{1, "127.0.0.1:" + std::to_string(ports[0])},
                     {2, "127.0.0.1:" + std::to_string(ports[1])}};
  options.data_dir = (dir.path() / "replica-1").string();

  FakePeer peer(options, 2);
  peer.set_log(7, {{1, "a", "a1"}, {2, "b", "b1"}, {3, "c", "c1"}});
  Node node(options);
  const auto has = [&](const std::string& key, const std::string& value) {
    return node.get(key, Consistency::local).value == value;
  };
  // Pulled up to the peer's change index 3.
  REQUIRE(eventually(5s, [&] { return has("c", "c1"); }));
  CHECK(has("a", "a1"));
  // The first answer's states are applied before its epoch is taken (the cursor starts
  // again from 0 then): wait for the cursor itself, or the test races the next poll.
  REQUIRE(eventually(5s, [&] { return peer.asked_after() == 3; }));

  // The peer loses power: its change index 3 (c) is gone, and before the next poll it
  // applies x and y, numbered 3 and 4. A cursor at 3 alone would skip x for ever.
  peer.set_log(8, {{1, "a", "a1"}, {2, "b", "b1"}, {3, "x", "x1"}, {4, "y", "y1"}});
  REQUIRE(eventually(5s, [&] { return has("y", "y1"); }));
  CHECK(eventually(3s, [&] { return has("x", "x1"); }));
  CHECK(node.metrics_text().find("paxoskv_sync_epoch_changes_total 1") != std::string::npos);
}

}  // namespace
}  // namespace paxoskv::node_test

// A replica on a lost data dir: its peers know its id as having served, so it refuses to
// start (and never votes under that id again); a fresh cluster still founds, quickly.
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <thread>

#include "paxoskv/node.h"
#include "src/founding_check.h"
#include "tests/node/embedded_cluster.h"

namespace paxoskv::node_test {
namespace {

using namespace std::chrono_literals;
using Kind = FoundingVerdict::Kind;

// Every replica asks each peer for changes once a second: after that, each peer has
// received messages from every other.
void let_every_replica_be_heard() {
  std::this_thread::sleep_for(1500ms);
}

TEST_CASE("the founding verdict: any peer that knows the id refuses, at once", "[founding]") {
  const auto judge = [](std::map<consensus::NodeId, HelloAnswer> answers, bool timed_out) {
    return judge_founding(answers, timed_out);
  };
  CHECK(judge({}, false).kind == Kind::kFound);
  CHECK(judge({{2, HelloAnswer::kDoesNotKnowUs}, {3, HelloAnswer::kUnreachable}}, false).kind ==
        Kind::kFound);
  CHECK(judge({{2, HelloAnswer::kDoesNotKnowUs}, {3, HelloAnswer::kPending}}, false).kind ==
        Kind::kWaiting);
  const FoundingVerdict late =
      judge({{2, HelloAnswer::kDoesNotKnowUs}, {3, HelloAnswer::kPending}}, true);
  CHECK(late.kind == Kind::kFound);
  CHECK(late.unreachable == std::vector<consensus::NodeId>{3});
  // A peer that accepted the connection is reachable: its answer is waited for.
  CHECK(judge({{2, HelloAnswer::kDoesNotKnowUs}, {3, HelloAnswer::kAwaitingAnswer}}, true).kind ==
        Kind::kWaiting);
  const FoundingVerdict known = judge(
      {{2, HelloAnswer::kPending}, {3, HelloAnswer::kKnowsUs}, {4, HelloAnswer::kKnowsUs}}, false);
  CHECK(known.kind == Kind::kRefuse);
  CHECK(known.knowing == std::vector<consensus::NodeId>{3, 4});
  CHECK_THAT(lost_data_message(2, "/data", {1, 3}),
             Catch::Contains("replica 2: its data was lost") && Catch::Contains("peers 1, 3") &&
                 Catch::Contains("remove id 2") && Catch::Contains("new id"));
}

TEST_CASE("a replica whose data dir was wiped refuses to start under its old id",
          "[node][founding]") {
  EmbeddedCluster cluster(3);
  REQUIRE(eventually(5s, [&] { return cluster.connected(); }));
  REQUIRE(cluster.node(2).put("before", "kept").ok());
  let_every_replica_be_heard();

  SECTION("a restart on its intact data dir is no founding: it serves") {
    cluster.restart(2);
    CHECK(cluster.node(2).put("after", "restart").ok());
  }

  SECTION("a wiped data dir is refused, at every start") {
    cluster.stop(2);
    std::filesystem::remove_all(cluster.options_of(2).data_dir);
    // What the peers know of replica 2 is on their disks.
    cluster.restart(1);
    cluster.restart(3);
    const auto started = std::chrono::steady_clock::now();
    CHECK_THROWS_MATCHES(
        cluster.start(2), LostDataError,
        Catch::Message(lost_data_message(2, cluster.options_of(2).data_dir, {1, 3})));
    // Answered, not timed out.
    CHECK(std::chrono::steady_clock::now() - started < kFoundingCheckLimit);
    CHECK_FALSE(cluster.running(2));
    // It created a store meanwhile, whose founding check is still pending: no way around.
    CHECK_THROWS_AS(cluster.start(2), LostDataError);

    // The others serve on, with their data.
    CHECK(cluster.node(1).get("before").value == "kept");
    CHECK(cluster.node(3).put("after", "refusal").ok());
    CHECK(cluster.node(1).get("after").value == "refusal");
  }
}

TEST_CASE("replicas on new data dirs found a cluster without waiting", "[node][founding]") {
  const auto started = std::chrono::steady_clock::now();
  EmbeddedCluster cluster(3);  // one after the other: the first finds both peers down
  // Connections refused count as answers: no replica waits out kFoundingCheckLimit.
  CHECK(std::chrono::steady_clock::now() - started < kFoundingCheckLimit);
  REQUIRE(eventually(5s, [&] { return cluster.connected(); }));
  CHECK(cluster.node(3).put("k", "v").ok());
  CHECK(cluster.node(1).get("k").value == "v");
}

TEST_CASE(
    "a peer that accepts the connection but does not answer is waited for until the "
    "connection breaks",
    "[node][founding]") {
  boost::asio::io_context io;
  // Listens, never accepts: connections complete in the kernel and hang there, as with a
  // paused process.
  boost::asio::ip::tcp::acceptor hung_peer(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
  TempDir dir("paxoskv-founding");
  Options options;
  options.id = 1;
  options.cluster = {{1, "127.0.0.1:" + std::to_string(pick_free_ports(1).front())},
                     {2, "127.0.0.1:" + std::to_string(hung_peer.local_endpoint().port())}};
  options.data_dir = (dir.path() / "replica-1").string();
  auto starting = std::async(std::launch::async, [&] { return std::make_unique<Node>(options); });
  // A paused peer may know this id: no founding while it may still answer.
  CHECK(starting.wait_for(kFoundingCheckLimit + 1500ms) == std::future_status::timeout);
  hung_peer.close();  // the connection breaks: the peer is unreachable now
  REQUIRE(starting.wait_for(5s) == std::future_status::ready);
  starting.get().reset();
  // The check passed and is not run again.
  const auto restarted = std::chrono::steady_clock::now();
  { Node node(options); }
  CHECK(std::chrono::steady_clock::now() - restarted < 1s);
}

}  // namespace
}  // namespace paxoskv::node_test

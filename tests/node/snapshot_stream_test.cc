// A snapshot stream that outlives its node (a download cut by the replica's shutdown, or
// an embedder that kept the stream): the node closes it before its store, so the node
// stops cleanly and the stream's later reads fail instead of reading a closed store.
#include <catch2/catch.hpp>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>

#include "paxoskv/node.h"
#include "paxoskv/snapshot_format.h"
#include "tests/node/embedded_cluster.h"

namespace paxoskv::node_test {
namespace {

SnapshotResult take_snapshot(Node& node) {
  std::promise<SnapshotResult> answer;
  node.snapshot([&answer](SnapshotResult result) { answer.set_value(std::move(result)); });
  return answer.get_future().get();
}

TEST_CASE("snapshot: a stream still held when its node stops fails from then on",
          "[node][snapshot]") {
  EmbeddedCluster cluster;
  for (int i = 0; i < 20; ++i) {
    REQUIRE(cluster.node(1).put("snap/" + std::to_string(i), std::string(100, 'v')).ok());
  }

  // A stream read to the end while its node runs holds every key.
  SnapshotResult whole = take_snapshot(cluster.node(2));
  REQUIRE(whole.result.ok());
  std::uint64_t records = 0;
  snapshot::Parser parser([&](const snapshot::Record& record) {
    if (record.key.starts_with("snap/")) ++records;
  });
  while (auto piece = whole.stream->next()) parser.feed(*piece);
  parser.finish();
  CHECK(records == 20);

  // One begun, then its node stops: the store closes although the stream is alive.
  SnapshotResult cut = take_snapshot(cluster.node(1));
  REQUIRE(cut.result.ok());
  REQUIRE(cut.stream->next().has_value());
  cluster.stop(1);
  CHECK_THROWS_AS(cut.stream->next(), std::runtime_error);
  cut.stream.reset();
  cluster.start(1);
  CHECK(cluster.node(1).put("snap/after", "v").ok());
}

}  // namespace
}  // namespace paxoskv::node_test

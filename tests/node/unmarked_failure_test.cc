// A failed write is final whichever thread makes it: the synced writes the replica makes
// from its own thread (the founding check passed, a peer first heard from) stop it like
// the write queue's do, and leave the disk failure marker behind.
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <optional>
#include <string>

#include "paxoskv/node.h"
#include "src/disk_failure_marker.h"
#include "src/replica.h"
#include "tests/kvstore/fault_env.h"
#include "tests/node/embedded_cluster.h"

namespace paxoskv::node_test {
namespace {

using kvstore::testing::FaultInjectingEnv;
using kvstore::testing::LogFault;

TEST_CASE("replica: a failed sync of the founding check's record leaves the marker",
          "[node][disk]") {
  TempDir dir("paxoskv-unmarked-failure");
  Options options;
  options.id = 1;
  const std::vector<std::uint16_t> ports = pick_free_ports(2);
  // Peer 2 is down (its port refuses): the founding check passes at once, and its record
  // is written with a sync that fails.
  options.cluster = {{1, "127.0.0.1:" + std::to_string(ports[0])},
                     {2, "127.0.0.1:" + std::to_string(ports[1])}};
  options.data_dir = (dir.path() / "data").string();

  // In a child: the replica may end the process.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::signal(SIGABRT, SIG_DFL);  // the test framework's handler would report a failure
    {
      FaultInjectingEnv env;
      boost::asio::io_context io;
      Replica replica(io, options, kvstore::StoreOptions{&env});
      env.arm(LogFault::kFailedSync);
      replica.start([](const std::optional<std::string>&) {});
      io.run_for(std::chrono::seconds(5));
      replica.stop();
    }
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  INFO("child: " << (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                         : "exit " + std::to_string(WEXITSTATUS(status))));
  // The sync failed and the replica stopped.
  CHECK(WIFSIGNALED(status));
  // A failed sync is final: the data dir is marked, and a restart is refused.
  CHECK(std::filesystem::exists(dir.path() / "data" / kDiskFailureMarker));
  CHECK_THROWS_AS(Node(options), StartRefused);
}

}  // namespace
}  // namespace paxoskv::node_test

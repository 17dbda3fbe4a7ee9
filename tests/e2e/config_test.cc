// paxoskv's flags from the environment and from a TOML --config-file, on real replicas:
// a cluster whose replicas get most of their flags that way, and replicas refused a start
// by a bad file or a bad variable.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/e2e/child_process.h"
#include "tests/e2e/kv_client.h"
#include "tests/e2e/temp_dir.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {
namespace {

using namespace std::chrono_literals;

// Removes `flag` and its value from `argv`; the value.
std::string take_flag(std::vector<std::string>& argv, const std::string& flag) {
  for (auto at = argv.begin(); at != argv.end(); ++at) {
    if (*at == flag && at + 1 != argv.end()) {
      std::string value = *(at + 1);
      argv.erase(at, at + 2);
      return value;
    }
  }
  throw std::logic_error("the cluster's command line has no " + flag);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// Starts paxoskv with `argv` and `environment`, expecting it to refuse to start: its exit
// status and its output.
std::pair<int, std::string> refused_start(const TempDir& dir, std::vector<std::string> argv,
                                          const std::vector<std::string>& environment) {
  argv.insert(argv.begin(), paxoskv_binary().string());
  const auto log = dir.path() / "refused.log";
  std::filesystem::remove(log);
  ChildProcess process(argv, log, environment);
  const auto status = process.wait_for_exit(10s);
  REQUIRE(status);
  REQUIRE(WIFEXITED(*status));
  return {WEXITSTATUS(*status), read_file(log)};
}

}  // namespace

TEST_CASE("e2e: replicas take their flags from the environment and a config file",
          "[e2e][config]") {
  const TempDir configs("paxoskv-e2e-config");
  ClusterOptions options;
  // The config file gets --cluster and --request-timeout, and max-value-bytes = 100 that
  // the environment overrides with 200; the environment gets --data-dir, and a --listen on
  // a port nothing answers that the command line overrides. Replica 1 names its file on
  // the command line, the others in PAXOSKV_CONFIG_FILE.
  options.rewrite_launch = [&](int id, std::vector<std::string> argv) {
    const auto file = configs.path() / ("replica-" + std::to_string(id) + ".toml");
    std::ofstream(file) << "# replica " << id << "\n"
                        << "cluster = \"" << take_flag(argv, "--cluster") << "\"\n"
                        << "request-timeout = \"" << take_flag(argv, "--request-timeout") << "\"\n"
                        << "max-value-bytes = 100  # the environment says 200\n";
    ReplicaLaunch launch;
    launch.environment = {"PAXOSKV_DATA_DIR=" + take_flag(argv, "--data-dir"),
                          "PAXOSKV_MAX_VALUE_BYTES=200", "PAXOSKV_LISTEN=127.0.0.1:1"};
    if (id == 1) {
      argv.insert(argv.end(), {"--config-file", file.string()});
    } else {
      launch.environment.push_back("PAXOSKV_CONFIG_FILE=" + file.string());
    }
    launch.argv = std::move(argv);
    return launch;
  };
  // Each replica answers on its --listen and reaches the others through the file's
  // --cluster, or this throws.
  TestCluster cluster(options);
  for (const int id : cluster.ids()) {
    INFO("replica " << id);
    CHECK_FALSE(std::filesystem::is_empty(cluster.data_dir(id)));  // PAXOSKV_DATA_DIR
    KvClient client(cluster.client_port(id));
    const std::string key = "config/" + std::to_string(id);
    const KvReply fits = client.put(key, std::string(150, 'v'));
    INFO(fits.describe());
    CHECK(fits.status == 200);  // more than the file's 100: the environment's 200 counts
    const KvReply too_large = client.put(key, std::string(250, 'v'));
    INFO(too_large.describe());
    CHECK(too_large.status == 413);
  }
}

TEST_CASE("e2e: a bad config file or variable stops a replica before it starts", "[e2e][config]") {
  const TempDir dir("paxoskv-e2e-config");
  const std::vector<std::string> argv = {
      "--id",          "1",        "--data-dir", (dir.path() / "data").string(), "--cluster",
      "1=127.0.0.1:1", "--listen", "127.0.0.1:1"};
  const auto file = dir.path() / "paxoskv.toml";

  std::ofstream(file) << "max-value-byte = 1000\n";  // a typo
  auto [status, output] = refused_start(dir, argv, {"PAXOSKV_CONFIG_FILE=" + file.string()});
  CHECK(status == 2);
  CHECK_THAT(output, Catch::Contains("unknown key 'max-value-byte'"));

  std::tie(status, output) = refused_start(dir, argv, {"PAXOSKV_REQUEST_TIMEOUT=5sec"});
  CHECK(status == 2);
  CHECK_THAT(output,
             Catch::Contains("--request-timeout") && Catch::Contains("PAXOSKV_REQUEST_TIMEOUT"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "data"));  // nothing was started
}

}  // namespace paxoskv::e2e

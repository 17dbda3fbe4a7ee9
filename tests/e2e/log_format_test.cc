// --log-format json on real replicas: every line a replica writes is one JSON object with
// its time, level, id and message, whichever source (flag, environment, config file) asked
// for it; an unknown format stops a replica before it starts.
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/child_process.h"
#include "tests/e2e/kv_client.h"
#include "tests/e2e/temp_dir.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {
namespace {

using namespace std::chrono_literals;

// The line the test cluster writes before each start of a replica.
constexpr std::string_view kHarnessLine = "---- paxoskv-e2e:";

// Checks that every line of `log` (but the harness's) is a JSON object with the fields of
// --log-format json, of replica `id`; the messages, in order.
std::vector<std::string> json_messages(const std::filesystem::path& log, std::uint32_t id) {
  std::ifstream file(log);
  REQUIRE(file);
  const std::regex utc_millis(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  std::vector<std::string> messages;
  for (std::string line; std::getline(file, line);) {
    if (line.starts_with(kHarnessLine)) continue;
    INFO(log.string() << ": " << line);
    nlohmann::json object;
    REQUIRE_NOTHROW(object = nlohmann::json::parse(line));
    REQUIRE(object.is_object());
    CHECK(object.size() == 4);
    REQUIRE(object["ts"].is_string());
    CHECK(std::regex_match(object["ts"].get<std::string>(), utc_millis));
    REQUIRE(object["level"].is_string());
    CHECK(object["level"].get<std::string>().find_first_not_of("abcdefghijklmnopqrstuvwxyz") ==
          std::string::npos);
    CHECK(object["replica"] == id);
    REQUIRE(object["msg"].is_string());
    messages.push_back(object["msg"].get<std::string>());
  }
  return messages;
}

bool any_contains(const std::vector<std::string>& messages, const std::string& part) {
  return std::any_of(messages.begin(), messages.end(), [&](const std::string& message) {
    return message.find(part) != std::string::npos;
  });
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

}  // namespace

TEST_CASE("e2e: --log-format json makes every log line a JSON object", "[e2e][log-format]") {
  const TempDir configs("paxoskv-e2e-log");
  ClusterOptions options;
  // Replica 1 asks on the command line, 2 in the environment, 3 in its config file; all
  // log at debug level, so that more kinds of lines are written.
  options.extra_flags = {"--log-level", "debug"};
  options.rewrite_launch = [&](int id, std::vector<std::string> argv) {
    ReplicaLaunch launch;
    if (id == 1) {
      argv.insert(argv.end(), {"--log-format", "json"});
    } else if (id == 2) {
      launch.environment = {"PAXOSKV_LOG_FORMAT=json"};
    } else {
      const auto file = configs.path() / "replica-3.toml";
      std::ofstream(file) << "log-format = \"json\"\n";
      argv.insert(argv.end(), {"--config-file", file.string()});
    }
    launch.argv = std::move(argv);
    return launch;
  };
  TestCluster cluster(options);
  KvClient client(cluster.client_port(1));
  // Keys and values that would break a line written with a pattern.
  for (const std::string key : {"plain", "quote\"d", "back\\slash", "caf\xc3\xa9", "not\xffutf8"}) {
    const KvReply reply = client.put(key, "{\"level\":\"forged\"}\n");
    INFO(reply.describe());
    CHECK(reply.status == 200);
  }
  for (const int id : cluster.ids()) {
    const auto status = cluster.terminate(id, 10s);
    REQUIRE(status);
    CHECK(WIFEXITED(*status));
  }
  for (const int id : cluster.ids()) {
    INFO("replica " << id);
    const std::vector<std::string> messages =
        json_messages(cluster.log_file(id), static_cast<std::uint32_t>(id));
    CHECK(messages.size() >= 3);
    CHECK(any_contains(messages, "serving clients on http://"));
    CHECK(any_contains(messages, "no new requests; stopping"));  // after SIGTERM
  }
}

TEST_CASE("e2e: a replica that cannot serve says why in a JSON line", "[e2e][log-format]") {
  const TempDir dir("paxoskv-e2e-log");
  const auto log = dir.path() / "replica.log";
  // Its data dir would be inside a file.
  std::ofstream(dir.path() / "file") << "not a directory\n";
  ChildProcess process({paxoskv_binary().string(), "--id", "1", "--data-dir",
                        (dir.path() / "file" / "data").string(), "--cluster", "1=127.0.0.1:1",
                        "--listen", "127.0.0.1:1", "--log-format", "json"},
                       log);
  const auto status = process.wait_for_exit(10s);
  REQUIRE(status);
  REQUIRE(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 1);
  INFO(read_file(log));
  const std::vector<std::string> messages = json_messages(log, 1);
  REQUIRE_FALSE(messages.empty());
  CHECK(messages.back().starts_with("cannot serve: "));
}

TEST_CASE("e2e: an unknown --log-format stops a replica before it starts", "[e2e][log-format]") {
  const TempDir dir("paxoskv-e2e-log");
  const auto log = dir.path() / "refused.log";
  ChildProcess process(
      {paxoskv_binary().string(), "--id", "1", "--data-dir", (dir.path() / "data").string(),
       "--cluster", "1=127.0.0.1:1", "--listen", "127.0.0.1:1"},
      log, {"PAXOSKV_LOG_FORMAT=yaml"});
  const auto status = process.wait_for_exit(10s);
  REQUIRE(status);
  REQUIRE(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 2);
  const std::string output = read_file(log);
  CHECK_THAT(output, Catch::Contains("--log-format: unknown format 'yaml' (text or json)") &&
                         Catch::Contains("PAXOSKV_LOG_FORMAT"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "data"));  // nothing was started
}

}  // namespace paxoskv::e2e

// paxoskv-bench's command line: what scripts pass keeps its meaning.
#include "tools/bench/options.h"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace paxoskv::bench {
namespace {

using namespace std::chrono_literals;

Options parse(std::vector<std::string> args) {
  args.insert(args.begin(), "paxoskv-bench");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  const auto options = parse_options(static_cast<int>(argv.size()), argv.data());
  REQUIRE(options);
  return *options;
}

TEST_CASE("bench options: defaults and a workload anywhere on the line", "[bench]") {
  const Options defaults = parse({});
  CHECK(defaults.workload == Workload::put);
  CHECK(defaults.conns == 16);
  CHECK(defaults.duration == 10s);
  REQUIRE(defaults.endpoints.size() == 1);
  CHECK(defaults.endpoints[0].port == 8001);
  CHECK(parse({"--conns", "4", "get"}).workload == Workload::get);
  CHECK(parse({"--workload=mixed"}).workload == Workload::mixed);
  CHECK(parse({"cas"}).keys == 10);
  const Options lease = parse({"lease"});
  CHECK(lease.lease_suite);
  CHECK(lease.keys == 1);
}

TEST_CASE("bench options: --plot names the SVG to write, and nothing by default", "[bench]") {
  CHECK(parse({}).plot_path.empty());
  CHECK(parse({"get", "--plot", "out/run.svg"}).plot_path == "out/run.svg");
  CHECK(parse({"--plot=run.svg", "lease"}).plot_path == "run.svg");
  CHECK_THROWS_AS(parse({"--plot="}), std::invalid_argument);
}

TEST_CASE("bench options: the flags scripts pass", "[bench]") {
  const Options options = parse({"get",
                                 "--local",
                                 "--conns",
                                 "64",
                                 "--endpoints",
                                 "127.0.0.1:8001,127.0.0.1:8002",
                                 "--json",
                                 "--no-progress",
                                 "--keys=500",
                                 "--key-dist",
                                 "sequential",
                                 "--key-prefix",
                                 "many/",
                                 "--requests",
                                 "500",
                                 "--warmup",
                                 "0s",
                                 "--target",
                                 "etcd",
                                 "--seed",
                                 "7",
                                 "--preload",
                                 "--value-size",
                                 "10"});
  CHECK(options.local_reads);
  CHECK(options.conns == 64);
  CHECK(options.endpoints.size() == 2);
  CHECK(options.json);
  CHECK_FALSE(options.progress);
  CHECK(options.keys == 500);
  CHECK(options.key_distribution == KeyDistribution::sequential);
  CHECK(options.key_prefix == "many/");
  CHECK(options.requests == 500u);
  CHECK(options.warmup == 0s);
  CHECK(options.target == Target::etcd);
  CHECK(options.seed == 7);
  CHECK(options.preload);
  CHECK(options.value_size == 10);
  CHECK(parse({"--conns", "1", "--conns", "2"}).conns == 2);  // the last one counts
}

TEST_CASE("bench options: durations in the shared syntax", "[bench]") {
  CHECK(parse({"--duration", "1.5m"}).duration == 90s);
  CHECK(parse({"--duration", "1m30s"}).duration == 90s);
  CHECK(parse({"--duration", "250ms"}).duration == 250ms);
  CHECK(parse({"--duration", "2"}).duration == 2s);
  CHECK(parse({"--timeout", "1h"}).timeout == 1h);
  CHECK(parse({"--lease-ttl", "10s"}).lease_ttl == 10s);
}

TEST_CASE("bench options: bad lines are refused", "[bench]") {
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"put", "get"},
                                             {"--no-such-flag"},
                                             {"--json=yes"},
                                             {"--conns"},
                                             {"--conns", "0"},
                                             {"--duration", "0s"},
                                             {"--duration", "5 s"},
                                             {"--warmup", "-1s"},
                                             {"--lease-ttl", "2h"},
                                             {"frobnicate"},
                                             {"--target", "consul"},
                                             {"--cert", "c.pem"}}) {
    std::string line;
    for (const std::string& arg : bad) line += arg + " ";
    INFO(line);
    std::vector<std::string> args = bad;
    args.insert(args.begin(), "paxoskv-bench");
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    CHECK_THROWS_AS(parse_options(static_cast<int>(argv.size()), argv.data()),
                    std::invalid_argument);
  }
}

}  // namespace
}  // namespace paxoskv::bench

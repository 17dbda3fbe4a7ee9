// The replica's Prometheus text: the configuration's gauges, the process and build
// figures, the fsync latency histogram, the round trips to peers.
#include "src/metrics_text.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace paxoskv::node_test {

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("metrics: the configuration version, the members and whether removed", "[node]") {
  NodeStatus status;
  status.id = 2;
  status.membership.members = {{1, "a:1"}, {2, "b:1"}, {3, "c:1"}, {4, "d:1"}};
  status.membership.leaving = {{1, "a:1"}, {2, "b:1"}, {3, "c:1"}};
  status.membership.config_version = 3;
  std::string text = render_metrics(status.id, ReplicaCounters{}, status);
  CHECK(has_line(text, "# TYPE paxoskv_config_version gauge"));
  CHECK(has_line(text, "paxoskv_config_version 3"));
  CHECK(has_line(text, "paxoskv_members 4"));
  CHECK(has_line(text, "paxoskv_removed 0"));

  status.removed = true;
  text = render_metrics(status.id, ReplicaCounters{}, status);
  CHECK(has_line(text, "paxoskv_removed 1"));
  CHECK(has_line(text, "paxoskv_replica_id 2"));  // the other metrics stay
}

TEST_CASE("metrics: process figures, build info, store size and the fsync histogram", "[node]") {
  NodeStatus status;
  status.id = 1;
  ReplicaCounters counters;
  kvstore::LatencyHistogram histogram;
  histogram.observe(std::chrono::microseconds(80));     // bucket le=0.0001
  histogram.observe(std::chrono::microseconds(3'000));  // bucket le=0.005
  histogram.observe(std::chrono::seconds(2));           // above every bound
  counters.store.sync_latency = histogram.counts();
  HostFigures host;
  host.process = read_process_stats();
  host.store_bytes = 12345;
  host.quota_bytes = 67890;
  const std::string text = render_metrics(status.id, counters, status, host);

  CHECK(has_line(text, "# TYPE paxoskv_fsync_duration_seconds histogram"));
  CHECK(has_line(text, "paxoskv_fsync_duration_seconds_bucket{le=\"5e-05\"} 0"));
  CHECK(has_line(text, "paxoskv_fsync_duration_seconds_bucket{le=\"0.0001\"} 1"));
  CHECK(has_line(text, "paxoskv_fsync_duration_seconds_bucket{le=\"0.0025\"} 1"));
  CHECK(has_line(text, "paxoskv_fsync_duration_seconds_bucket{le=\"0.005\"} 2"));
  CHECK(has_line(text, "paxoskv_fsync_duration_seconds_bucket{le=\"1\"} 2"));
  CHECK(has_line(text, "paxoskv_fsync_duration_seconds_bucket{le=\"+Inf\"} 3"));
  CHECK(has_line(text, "paxoskv_fsync_duration_seconds_count 3"));
  CHECK(has_line(text, "paxoskv_fsync_duration_seconds_sum 2.00308"));
  CHECK(has_line(text, "paxoskv_store_size_bytes 12345"));
  CHECK(has_line(text, "paxoskv_store_quota_bytes 67890"));
  CHECK(text.find("\npaxoskv_build_info{version=\"") != std::string::npos);

  // This test's own process, as /proc shows it.
  REQUIRE(host.process.resident_bytes);
  CHECK(*host.process.resident_bytes > 1'000'000);
  REQUIRE(host.process.open_fds);
  CHECK(*host.process.open_fds >= 3);
  REQUIRE(host.process.start_time_seconds);
  CHECK(*host.process.start_time_seconds > 1.7e9);  // after 2023
  CHECK(text.find("\nprocess_resident_memory_bytes ") != std::string::npos);
  CHECK(text.find("\nprocess_cpu_seconds_total ") != std::string::npos);
  CHECK(text.find("\nprocess_max_fds ") != std::string::npos);
}

TEST_CASE("metrics: a round-trip histogram per peer", "[node]") {
  NodeStatus status;
  status.id = 1;
  ReplicaCounters counters;
  kvstore::LatencyHistogram to_2;
  to_2.observe(std::chrono::microseconds(400));
  to_2.observe(std::chrono::microseconds(1'500));
  counters.peer_round_trips[2] = to_2.counts();
  counters.peer_round_trips[3] = {};  // never measured
  const std::string text = render_metrics(status.id, counters, status);

  CHECK(has_line(text, "# TYPE paxoskv_peer_round_trip_seconds histogram"));
  CHECK(has_line(text, "paxoskv_peer_round_trip_seconds_bucket{peer=\"2\",le=\"0.00025\"} 0"));
  CHECK(has_line(text, "paxoskv_peer_round_trip_seconds_bucket{peer=\"2\",le=\"0.0005\"} 1"));
  CHECK(has_line(text, "paxoskv_peer_round_trip_seconds_bucket{peer=\"2\",le=\"0.0025\"} 2"));
  CHECK(has_line(text, "paxoskv_peer_round_trip_seconds_bucket{peer=\"2\",le=\"+Inf\"} 2"));
  CHECK(has_line(text, "paxoskv_peer_round_trip_seconds_sum{peer=\"2\"} 0.0019"));
  CHECK(has_line(text, "paxoskv_peer_round_trip_seconds_count{peer=\"2\"} 2"));
  CHECK(has_line(text, "paxoskv_peer_round_trip_seconds_count{peer=\"3\"} 0"));
  // One HELP and TYPE for the family, however many peers.
  CHECK(text.find("# TYPE paxoskv_peer_round_trip_seconds ") ==
        text.rfind("# TYPE paxoskv_peer_round_trip_seconds "));
}

TEST_CASE("metrics: the store size is the bytes of the files under the data dir", "[node]") {
  const auto dir = std::filesystem::temp_directory_path() / "paxoskv-metrics-size-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / "a") << std::string(1000, 'x');
  std::ofstream(dir / "sub" / "b") << std::string(234, 'y');
  CHECK(directory_bytes(dir) == 1234);
  std::filesystem::remove_all(dir);
  CHECK(directory_bytes(dir) == 0);  // gone: nothing to count, no throw
}

}  // namespace paxoskv::node_test

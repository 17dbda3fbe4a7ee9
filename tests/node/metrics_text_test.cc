// The replica's Prometheus text: the configuration's gauges.
#include "src/metrics_text.h"

#include <catch2/catch.hpp>
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

}  // namespace paxoskv::node_test

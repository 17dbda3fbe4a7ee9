#include "http/metrics.h"

#include <spdlog/fmt/fmt.h>

#include <iterator>

namespace paxoskv::http {

void HttpMetrics::record_request(std::string_view route, unsigned status,
                                 std::chrono::steady_clock::duration latency) {
  if (status == 401) ++unauthenticated_;
  if (status == 403) ++permission_denied_;
  const double seconds = std::chrono::duration<double>(latency).count();
  std::size_t bucket = 0;
  while (bucket < bucket_bounds.size() && seconds > bucket_bounds[bucket]) ++bucket;

  const std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), status}];
  Histogram& histogram = latencies_[std::string(route)];
  if (bucket < bucket_bounds.size()) ++histogram.buckets[bucket];
  ++histogram.count;
  histogram.sum_seconds += seconds;
}

std::string HttpMetrics::render() const {
  std::string out;
  auto line = std::back_inserter(out);

  fmt::format_to(line,
                 "# HELP paxoskv_http_requests_total HTTP requests answered, by route and "
                 "status code.\n"
                 "# TYPE paxoskv_http_requests_total counter\n");
  {
    const std::lock_guard lock(mutex_);
    for (const auto& [labels, count] : requests_) {
      fmt::format_to(line, "paxoskv_http_requests_total{{route=\"{}\",code=\"{}\"}} {}\n",
                     labels.first, labels.second, count);
    }
    fmt::format_to(line,
                   "# HELP paxoskv_http_request_duration_seconds Time from a parsed request "
                   "to its rendered response, by route.\n"
                   "# TYPE paxoskv_http_request_duration_seconds histogram\n");
    for (const auto& [route, histogram] : latencies_) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < bucket_bounds.size(); ++i) {
        cumulative += histogram.buckets[i];
        fmt::format_to(line,
                       "paxoskv_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} "
                       "{}\n",
                       route, bucket_bounds[i], cumulative);
      }
      fmt::format_to(line,
                     "paxoskv_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} "
                     "{}\n"
                     "paxoskv_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n"
                     "paxoskv_http_request_duration_seconds_count{{route=\"{}\"}} {}\n",
                     route, histogram.count, route, histogram.sum_seconds, route, histogram.count);
    }
  }

  fmt::format_to(line,
                 "# HELP paxoskv_http_open_connections Client connections open now.\n"
                 "# TYPE paxoskv_http_open_connections gauge\n"
                 "paxoskv_http_open_connections {}\n"
                 "# HELP paxoskv_http_rejected_connections_total Connections closed at once "
                 "because too many were open.\n"
                 "# TYPE paxoskv_http_rejected_connections_total counter\n"
                 "paxoskv_http_rejected_connections_total {}\n"
                 "# HELP paxoskv_http_open_long_polls Long polls waiting for a change now.\n"
                 "# TYPE paxoskv_http_open_long_polls gauge\n"
                 "paxoskv_http_open_long_polls {}\n"
                 "# HELP paxoskv_http_auth_refusals_total Requests refused by "
                 "authentication: 401 (no or an unknown token) and 403 (not allowed).\n"
                 "# TYPE paxoskv_http_auth_refusals_total counter\n"
                 "paxoskv_http_auth_refusals_total{{reason=\"unauthenticated\"}} {}\n"
                 "paxoskv_http_auth_refusals_total{{reason=\"permission_denied\"}} {}\n"
                 "# HELP paxoskv_http_tls_handshake_failures_total Client connections closed "
                 "because their TLS handshake failed or was not done in time.\n"
                 "# TYPE paxoskv_http_tls_handshake_failures_total counter\n"
                 "paxoskv_http_tls_handshake_failures_total {}\n",
                 open_connections_.load(), rejected_connections_.load(), open_long_polls_.load(),
                 unauthenticated_.load(), permission_denied_.load(),
                 tls_handshake_failures_.load());
  return out;
}

}  // namespace paxoskv::http

// The HTTP front end's own metrics, in Prometheus text format: requests by route and
// status, latency histograms by route, connections and long polls. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace paxoskv::http {

class HttpMetrics {
 public:
  // `route` is one of a small fixed set of labels (never user input). A 401 or 403 is
  // also counted as a refusal of authentication.
  void record_request(std::string_view route, unsigned status,
                      std::chrono::steady_clock::duration latency);

  void connection_opened() { ++open_connections_; }
  void connection_closed() { --open_connections_; }
  void connection_rejected() { ++rejected_connections_; }
  void tls_handshake_failed() { ++tls_handshake_failures_; }
  void long_poll_started() { ++open_long_polls_; }
  void long_poll_finished() { --open_long_polls_; }

  std::string render() const;

 private:
  // Upper bounds in seconds; long polls reach the minutes.
  static constexpr std::array<double, 16> bucket_bounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 300};

  struct Histogram {
    std::array<std::uint64_t, bucket_bounds.size()> buckets{};  // not cumulative
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latencies_;

  std::atomic<std::int64_t> open_connections_{0};
  std::atomic<std::uint64_t> rejected_connections_{0};
  std::atomic<std::int64_t> open_long_polls_{0};
  std::atomic<std::uint64_t> unauthenticated_{0};    // 401: no token, or an unknown one
  std::atomic<std::uint64_t> permission_denied_{0};  // 403: a token not allowed to
  std::atomic<std::uint64_t> tls_handshake_failures_{0};
};

}  // namespace paxoskv::http

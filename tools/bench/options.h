// paxoskv-bench's command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "paxoskv/tls.h"

namespace paxoskv::bench {

enum class Target { paxoskv, etcd };
// lease_grant, lease_keepalive and lock_handoff are paxoskv's lease workloads; "lease" on
// the command line runs the three in turn (Options::lease_suite).
enum class Workload { put, get, mixed, cas, del, lease_grant, lease_keepalive, lock_handoff };
enum class KeyDistribution { uniform, zipf, sequential };

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  bool https = false;  // TLS; the server's certificate must name `host`

  std::string host_header() const { return host + ":" + std::to_string(port); }
};

struct Options {
  Target target = Target::paxoskv;
  Workload workload = Workload::put;
  bool local_reads = false;
  double read_ratio = 0.9;
  std::vector<Endpoint> endpoints;
  TlsFiles tls;  // --cacert, --cert, --key: for https endpoints
  int conns = 16;
  int threads = 1;
  std::uint64_t keys = 1000;
  KeyDistribution key_distribution = KeyDistribution::uniform;
  double zipf_exponent = 0.99;
  std::string key_prefix = "bench/";
  std::size_t value_size = 100;
  std::chrono::nanoseconds duration = std::chrono::seconds(10);
  std::optional<std::uint64_t> requests;  // when set, replaces the duration
  std::optional<double> rate;             // requests/s for all connections: open loop
  std::chrono::nanoseconds warmup = std::chrono::seconds(1);
  std::chrono::nanoseconds timeout = std::chrono::seconds(5);
  bool preload = false;
  bool json = false;
  std::string plot_path;  // --plot: the SVG to write after the run; empty for none
  bool self_test = false;
  bool progress = true;  // still only on a terminal
  std::uint64_t seed = 1;
  std::string token;                            // paxoskv: sent as "Authorization: Bearer"
  bool lease_suite = false;                     // "lease": grants, keepalives, hand-offs
  std::uint64_t leases = 10'000;                // lease-keepalive: leases kept alive
  std::chrono::milliseconds lease_ttl{60'000};  // the TTL of the leases granted
  std::vector<std::string> lease_ids;           // lease-keepalive: the leases to renew
};

bool is_lease_workload(Workload workload);

// Parses argv; throws std::invalid_argument with a message for the user.
// Returns nullopt when --help was asked (the usage is then printed).
std::optional<Options> parse_options(int argc, char** argv);

std::string_view usage();
std::string_view to_string(Target target);
std::string_view to_string(Workload workload);
std::string_view to_string(KeyDistribution distribution);

}  // namespace paxoskv::bench

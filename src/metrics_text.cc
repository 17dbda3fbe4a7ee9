#include "src/metrics_text.h"

#include <fmt/format.h>

#include <cstddef>
#include <map>
#include <optional>

#include "kvstore/record_codec.h"
#include "src/transport/frame.h"

namespace paxoskv {

namespace {

void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            double value, std::string_view labels = {}) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  if (labels.empty()) {
    out += fmt::format("{} {}\n", name, value);
  } else {
    out += fmt::format("{}{{{}}} {}\n", name, labels, value);
  }
}

template <typename T>
void optional_metric(std::string& out, std::string_view name, std::string_view type,
                     std::string_view help, const std::optional<T>& value) {
  if (value) metric(out, name, type, help, static_cast<double>(*value));
}

void process_metrics(std::string& out, const ProcessStats& process) {
  optional_metric(out, "process_cpu_seconds_total", "counter",
                  "Total user and system CPU time spent in seconds.", process.cpu_seconds);
  optional_metric(out, "process_start_time_seconds", "gauge",
                  "Start time of the process since unix epoch in seconds.",
                  process.start_time_seconds);
  optional_metric(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                  process.resident_bytes);
  optional_metric(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
                  process.virtual_bytes);
  optional_metric(out, "process_open_fds", "gauge", "Number of open file descriptors.",
                  process.open_fds);
  optional_metric(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
                  process.max_fds);
}

// The samples of one Prometheus histogram of durations, in seconds, with cumulative
// buckets; `labels` (name="value",...) go before each bucket's le.
void histogram_samples(std::string& out, std::string_view name, std::string_view labels,
                       const kvstore::LatencyCounts& counts) {
  const std::string before_le = labels.empty() ? std::string() : std::string(labels) + ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kvstore::kLatencyBoundsMicros.size(); ++i) {
    cumulative += counts.counts[i];
    out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, before_le,
                       static_cast<double>(kvstore::kLatencyBoundsMicros[i]) / 1e6, cumulative);
  }
  cumulative += counts.counts.back();
  out += fmt::format("{}_bucket{{{}le=\"+Inf\"}} {}\n", name, before_le, cumulative);
  const std::string braced = labels.empty() ? std::string() : "{" + std::string(labels) + "}";
  out += fmt::format("{}_sum{} {}\n", name, braced, static_cast<double>(counts.sum_micros) / 1e6);
  out += fmt::format("{}_count{} {}\n", name, braced, cumulative);
}

// A Prometheus histogram of durations, in seconds.
void latency_histogram(std::string& out, std::string_view name, std::string_view help,
                       const kvstore::LatencyCounts& counts) {
  out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  histogram_samples(out, name, {}, counts);
}

// One histogram of durations per peer, labelled peer="<id>".
void peer_latency_histograms(std::string& out, std::string_view name, std::string_view help,
                             const std::map<consensus::NodeId, kvstore::LatencyCounts>& by_peer) {
  out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  for (const auto& [peer, counts] : by_peer) {
    histogram_samples(out, name, fmt::format("peer=\"{}\"", peer), counts);
  }
}

}  // namespace

std::string render_metrics(std::uint32_t id, const ReplicaCounters& c, const NodeStatus& status,
                           const HostFigures& host) {
  std::string out;
  process_metrics(out, host.process);
  metric(out, "paxoskv_build_info", "gauge",
         "1, labelled with the version, peer protocol and store record format of this build.", 1,
         fmt::format("version=\"{}\",peer_protocol=\"{}\",record_format=\"{}\"", PAXOSKV_VERSION,
                     kPeerProtocolMax, kvstore::codec::kFormatV4));
  metric(out, "paxoskv_store_size_bytes", "gauge",
         "Size on disk of this replica's data dir (its LevelDB files).",
         static_cast<double>(host.store_bytes));
  metric(out, "paxoskv_store_quota_bytes", "gauge",
         "The store's quota (--quota-bytes): over it, writes that add data get 507; 0: none.",
         static_cast<double>(host.quota_bytes));
  latency_histogram(out, "paxoskv_fsync_duration_seconds",
                    "Duration of the store's synced writes (each a group commit, fsync included).",
                    c.store.sync_latency);
  const auto& core = c.core;
  metric(out, "paxoskv_replica_id", "gauge", "This replica's id.", id);
  metric(out, "paxoskv_change_index", "gauge", "Changes applied by this replica.", status.index);
  metric(out, "paxoskv_config_version", "gauge",
         "Version of the configuration this replica applied (0: the founding one; a change "
         "adds two).",
         static_cast<double>(status.membership.config_version));
  metric(out, "paxoskv_members", "gauge",
         "Members of the configuration this replica applied (the one a running change goes to).",
         static_cast<double>(status.membership.members.size()));
  metric(out, "paxoskv_membership_keys_carried_total", "counter",
         "Keys carried over to new members by the membership changes this replica ran.",
         static_cast<double>(c.keys_carried));
  metric(out, "paxoskv_removed", "gauge",
         "1 once this replica was removed from the cluster (it serves no client request).",
         status.removed ? 1 : 0);
  metric(out, "paxoskv_paxos_phase1_rounds_total", "counter", "Phase 1 (prepare) rounds started.",
         core.phase1_rounds);
  metric(out, "paxoskv_paxos_phase2_rounds_total", "counter", "Phase 2 (accept) rounds started.",
         core.phase2_rounds);
  metric(out, "paxoskv_paxos_fast_path_rounds_total", "counter",
         "Phase 2 rounds that skipped phase 1 because the promise was held.",
         core.fast_path_rounds);
  metric(out, "paxoskv_paxos_conflicts_total", "counter",
         "Proposals refused because another replica held a higher promise.", core.conflicts);
  metric(out, "paxoskv_paxos_retries_total", "counter", "Phases retried after a timeout.",
         core.retries);
  metric(out, "paxoskv_paxos_read_rounds_total", "counter", "Quorum read rounds.",
         core.read_rounds);
  metric(out, "paxoskv_paxos_read_rinses_total", "counter",
         "Quorum reads repeated while a slot was in flight.", core.read_rinses);
  metric(out, "paxoskv_paxos_catch_ups_total", "counter", "Key states adopted from other replicas.",
         core.catch_ups);
  metric(out, "paxoskv_paxos_versions_skipped_total", "counter",
         "Versions of keys never applied here because a later state arrived first (key "
         "watches on this replica miss them).",
         core.versions_skipped);
  metric(out, "paxoskv_paxos_unknown_outcomes_total", "counter",
         "Writes answered with an unknown outcome.", core.unknown_outcomes);
  metric(out, "paxoskv_paxos_forwards_total", "counter",
         "Writes handed to the replica proposing their key.", core.forwards);
  metric(out, "paxoskv_paxos_forwards_taken_back_total", "counter",
         "Handed writes taken back and proposed here: the other replica went quiet.",
         core.forwards_taken_back);
  metric(out, "paxoskv_paxos_accepts_spread_total", "counter",
         "Phase 2 rounds sent to every replica because an asked one answered late.",
         core.accepts_spread);
  metric(out, "paxoskv_lease_expiries_refused_total", "counter",
         "Lease expiries this acceptor did not accept: too early on its own clock.",
         core.lease_expiries_refused);
  metric(out, "paxoskv_lease_expiries_discarded_total", "counter",
         "Lease expiries a phase 1 found accepted by too few acceptors to be chosen, and "
         "replaced.",
         core.expiries_discarded);
  metric(out, "paxoskv_lease_expiries_given_up_total", "counter",
         "Lease expiries this replica proposed that went unanswered (the acceptors' clocks "
         "said the lease was alive): asked again at a later sweep.",
         core.expiries_given_up);
  metric(out, "paxoskv_sync_entries_received_total", "counter",
         "Key states received from peers by anti-entropy (most are already known).",
         c.sync.entries_received);
  metric(out, "paxoskv_sync_epoch_changes_total", "counter",
         "Peers found to have reopened their store since last asked, whose changes were then "
         "pulled again from the start.",
         c.sync.epoch_changes);
  metric(out, "paxoskv_cached_keys", "gauge", "Keys whose Paxos state is held in memory.",
         static_cast<double>(c.cached_keys));
  metric(out, "paxoskv_requests_in_flight", "gauge", "Client requests awaiting consensus.",
         static_cast<double>(c.requests_in_flight));
  metric(out, "paxoskv_waiters", "gauge", "Open long polls.", static_cast<double>(c.waiters));
  metric(out, "paxoskv_fsync_batches_total", "counter", "Synced write batches (group commits).",
         c.store.synced_batches);
  metric(out, "paxoskv_write_batches_total", "counter",
         "Write batches, synced or not (applied states alone need no sync).", c.store.batches);
  metric(out, "paxoskv_write_records_total", "counter", "Records written.", c.store.records);
  metric(out, "paxoskv_write_seconds_total", "counter", "Time spent writing, syncs included.",
         static_cast<double>(c.store.sync_micros) / 1e6);
  metric(out, "paxoskv_peer_frames_sent_total", "counter", "Messages sent to peers.",
         c.transport.frames_sent);
  metric(out, "paxoskv_peer_frames_received_total", "counter", "Messages received from peers.",
         c.transport.frames_received);
  metric(out, "paxoskv_peer_dropped_total", "counter",
         "Messages to peers dropped (unreachable, queue full, too large, or of a newer protocol).",
         c.transport.dropped_queue_full + c.transport.dropped_unreachable +
             c.transport.dropped_too_large + c.transport.dropped_not_in_version);
  metric(out, "paxoskv_peer_decode_errors_total", "counter", "Undecodable frames from peers.",
         c.transport.decode_errors);
  metric(out, "paxoskv_peer_tls_handshake_failures_total", "counter",
         "Peer connections, either way, whose TLS handshake failed or timed out (no certificate, "
         "or one not signed by the cluster's CA).",
         c.transport.tls_handshake_failures);
  peer_latency_histograms(
      out, "paxoskv_peer_round_trip_seconds",
      "Time from sending a peer a request (a prepare, accept, quorum read or lease keepalive) "
      "until its answer arrived; for a prepare or an accept it includes the peer's synced write.",
      c.peer_round_trips);
  out += "# HELP paxoskv_peer_reachable Whether the connection to a peer is up.\n";
  out += "# TYPE paxoskv_peer_reachable gauge\n";
  for (const auto& [peer, up] : status.reachable) {
    out += fmt::format("paxoskv_peer_reachable{{peer=\"{}\"}} {}\n", peer, up ? 1 : 0);
  }
  return out;
}

}  // namespace paxoskv

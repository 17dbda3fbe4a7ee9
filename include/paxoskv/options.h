// How to start a replica.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "paxoskv/tls.h"

namespace paxoskv {

// The longest key any replica takes: peers refuse longer keys on the wire, so
// Options::max_key_bytes may only lower it.
inline constexpr std::size_t kKeyBytesLimit = 1024;

// The most threads Options::client_threads may ask for.
inline constexpr std::size_t kMaxClientThreads = 256;

struct Options {
  std::uint32_t id = 0;  // this replica's id, a key of `cluster`
  // id -> peer address "host:port", self included. It founds a new cluster's first
  // configuration; once the cluster has changed its members, the replicated configuration
  // wins (restarting with an outdated `cluster` is fine). With `join`: at least one
  // reachable member, and this replica.
  std::map<std::uint32_t, std::string> cluster;
  std::string data_dir;                  // LevelDB lives here; created if missing
  std::string cluster_name = "paxoskv";  // a data dir serves only the cluster it was made for
  std::string peer_listen;               // where peers connect; defaults to cluster[id]
  // Enabled: peer connections are mutual TLS both ways, with certificates signed by
  // peer_tls.trusted_ca_file (required then); others are refused at the handshake.
  TlsFiles peer_tls;
  std::size_t max_value_bytes = 1 << 20;
  std::size_t max_key_bytes = kKeyBytesLimit;  // at most kKeyBytesLimit
  std::chrono::milliseconds request_timeout{5000};
  // Threads of the node's own that serve its HTTP clients (an HttpListener's parsing, TLS,
  // local reads and answers), beside the replica's thread that runs the consensus core.
  // 0: clients are served from the replica's thread (a request crosses no thread: best
  // when replicas share few cores).
  std::size_t client_threads = 0;
  // Join an existing cluster (after its members added this id) instead of founding one:
  // take the configuration from the members in `cluster`, catch up, then vote.
  bool join = false;
  // Client writes fail with Errc::no_space while the data dir's file system has less than
  // this free (looked at every 100 ms); 0: never. The reserve is left to what the replica
  // must still write for its peers.
  std::uint64_t disk_reserve_bytes = 64 << 20;
  // Client writes that add data (puts, lease grants, tokens) fail with Errc::no_space while
  // the data dir is larger than this (looked at every 500 ms); deletes and revokes still
  // work. 0: no quota.
  std::uint64_t quota_bytes = 0;
  // A replica stops for good when a write to its data dir fails, and leaves a marker file
  // there (DISK_WRITE_FAILED) that makes a later start throw. This starts it anyway, and
  // removes the marker.
  bool allow_after_disk_failure = false;
  // Called once, on the node's thread, when the replica stopped because a write to its data
  // dir failed (`error` says which). From then on the node answers every call with
  // shutting_down; destroy it.
  std::function<void(const std::string& error)> on_disk_failure;
};

}  // namespace paxoskv

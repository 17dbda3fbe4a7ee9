// Concurrent clients writing and reading against a cluster while a test breaks it.
//
// Each client thread does, at random: puts, cas puts, deletes and linearizable reads of a
// few shared (contended) keys, and puts of fresh keys of its own (each written once, so
// "every acknowledged write is still there" can be checked key by key). Every operation
// goes into the history for the linearizability checker. A client whose replica does not
// answer moves on to the next replica, as a real client would. The replicas the clients use
// can change while they run (use_ports), as the cluster's members do.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/linearizability.h"

namespace paxoskv::e2e {

struct WorkloadOptions {
  std::size_t clients = 4;
  std::vector<std::uint16_t> ports;      // client i starts on ports[i % ports.size()]
  std::vector<std::string> hosts;        // replica j is at hosts[j]:ports[j]; empty: 127.0.0.1
  std::vector<std::string> shared_keys;  // may be empty: fresh keys only
  // When not zero, the shared keys are renewed this often ("<key>/g<generation>"), so that
  // no key's history grows past what the checker searches quickly.
  std::chrono::milliseconds shared_key_lifetime{0};
  // Whether a client also moves to the next replica after a 503 (no quorum), not only
  // after no answer.
  bool move_on_unavailable = false;
  // Whether replicas may be removed from the cluster while it runs: then a 410 (removed)
  // is an answer the API gives (its outcome unknown, as a 503's), and the client moves on.
  bool members_change = false;
  std::chrono::milliseconds request_timeout = std::chrono::seconds(5);
  // A client's pause after each operation: bounds the load (zero: as fast as answers come).
  std::chrono::microseconds pause_between_ops{0};
  std::string fresh_key_prefix = "fresh/";
  double fresh_write_share = 0.5;  // of all operations
  std::uint32_t seed = 1;
};

struct WorkloadStats {
  std::size_t operations = 0;
  std::size_t acknowledged_writes = 0;  // 200 on a put or delete (cas conflicts excluded)
  std::size_t unknown_writes = 0;       // 503 or no answer
  std::size_t failed_writes = 0;        // 507: not applied
  std::size_t reads = 0;
  std::size_t unknown_reads = 0;
  std::size_t removed_answers = 0;      // 410: the replica was removed from the cluster
  std::vector<std::string> unexpected;  // answers the API does not give (a bug)
};

class Workload {
 public:
  Workload(WorkloadOptions options, check::HistoryRecorder& recorder);
  // Stops the clients (each finishes its request in flight) and joins them.
  ~Workload();
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;

  void stop();
  // The clients use these replicas from their next operation on (client i starts on
  // ports[i % ports.size()]), on the hosts of options.hosts by position.
  void use_ports(std::vector<std::uint16_t> ports);
  // Fresh keys acknowledged so far: key -> value. Safe to call while running.
  std::map<std::string, std::string> acknowledged_fresh() const;
  std::size_t acknowledged_fresh_count() const { return fresh_acks_.load(); }
  std::size_t acknowledged_writes() const { return write_acks_.load(); }
  WorkloadStats stats() const;

 private:
  void run_client(std::size_t index, std::stop_token stop);

  WorkloadOptions options_;
  check::HistoryRecorder& recorder_;
  mutable std::mutex mutex_;
  std::vector<std::uint16_t> ports_;  // guarded by mutex_
  std::atomic<std::size_t> ports_generation_{0};
  std::map<std::string, std::string> fresh_;  // guarded by mutex_
  WorkloadStats stats_;                       // guarded by mutex_
  std::atomic<std::size_t> fresh_acks_{0};
  std::atomic<std::size_t> write_acks_{0};
  std::vector<std::jthread> threads_;  // last: joined before the rest goes away
};

}  // namespace paxoskv::e2e

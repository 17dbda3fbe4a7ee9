// The faults a nemesis deals a running cluster, each logged as it happens and counted by
// kind: network partitions (cut both ways or one way), pauses, kill -9 and restarts, full
// disks. heal_all() undoes every fault still in force.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/e2e/test_cluster.h"
#include "tests/nemesis/network_sandbox.h"
#include "tests/nemesis/stop_request.h"
#include "tests/nemesis/tmpfs_mount.h"

namespace paxoskv::nemesis {

using Clock = std::chrono::steady_clock;
using Group = std::set<int>;

// A replica that exited although no fault stopped it, or did not come up again.
struct ReplicaFinding {
  std::string text;        // what happened, with the end of its log
  bool disk_full = false;  // it exited while its disk was full
};

class FaultInjector {
 public:
  FaultInjector(e2e::TestCluster& cluster, NetworkSandbox& network,
                std::vector<std::unique_ptr<TmpfsMount>>& disks, const StopRequest& stop,
                std::ostream& log, Clock::time_point started);

  std::vector<int> ids() const { return cluster_.ids(); }

  // Replicas in different groups drop each other's packets; the groups must not overlap,
  // and replicas in none keep every link. Replaces the partition before.
  void partition(const std::vector<Group>& groups, std::string_view kind = "partition");
  // Each replica in `deaf` drops every packet from `speakers`; the other way still works.
  void one_way(const Group& speakers, const Group& deaf);
  void heal_network();

  void pause(int id);
  void resume(int id);
  void kill(int id);
  // Starts a replica that was killed (or exited) again; a replica that does not come up
  // within the cluster's start limit is a finding.
  void restart(int id);
  void fill_disk(int id);
  void free_disk(int id);
  // kill -9, wipe the data dir: the replica's disk is lost. Only for a planted fault.
  void kill_and_wipe(int id);

  // Every fault still in force undone: network healed, paused replicas resumed, full disks
  // freed, stopped replicas started.
  void heal_all();
  // When the last fault was undone (a link restored, a replica resumed or restarted, a
  // disk freed): "the last heal".
  Clock::time_point last_heal() const { return last_heal_; }

  // Sleeps (waking on a stop request), watching for replicas that exit on their own.
  void wait(Clock::duration duration);
  void wait_until(Clock::time_point until);
  // Notes replicas that exited although no fault stopped them.
  void watch_exits();

  const std::map<std::string, std::size_t>& counts() const { return counts_; }
  // Replica exits nobody asked for, and restarts that failed: one line each, with logs.
  const std::vector<ReplicaFinding>& findings() const { return findings_; }
  std::size_t down_count() const { return stopped_.size() + paused_.size(); }
  bool is_stopped(int id) const { return stopped_.count(id) != 0; }
  bool is_paused(int id) const { return paused_.count(id) != 0; }

  // "{1,2}".
  static std::string describe(const Group& group);

 private:
  void event(const std::string& what);
  void count(std::string_view kind) { ++counts_[std::string(kind)]; }
  void apply_network();

  e2e::TestCluster& cluster_;
  NetworkSandbox& network_;
  std::vector<std::unique_ptr<TmpfsMount>>& disks_;
  const StopRequest& stop_;
  std::ostream& log_;
  Clock::time_point started_;
  Clock::time_point last_heal_;
  std::map<int, Group> blocked_;  // replica -> replicas it drops packets from
  Group paused_;
  Group stopped_;  // killed, or exited on their own: to be started at the heal
  Group full_;
  std::map<std::string, std::size_t> counts_;
  std::vector<ReplicaFinding> findings_;
};

}  // namespace paxoskv::nemesis

#include "tests/nemesis/fault_injector.h"

#include <cstdio>
#include <exception>

namespace paxoskv::nemesis {

FaultInjector::FaultInjector(e2e::TestCluster& cluster, NetworkSandbox& network,
                             std::vector<std::unique_ptr<TmpfsMount>>& disks,
                             const StopRequest& stop, std::ostream& log, Clock::time_point started)
    : cluster_(cluster),
      network_(network),
      disks_(disks),
      stop_(stop),
      log_(log),
      started_(started),
      last_heal_(started) {}

std::string FaultInjector::describe(const Group& group) {
  std::string text = "{";
  for (const int id : group) text += (text.size() > 1 ? "," : "") + std::to_string(id);
  return text + "}";
}

void FaultInjector::event(const std::string& what) {
  const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[%7.2fs] ", seconds);
  log_ << stamp << what << std::endl;
}

void FaultInjector::apply_network() {
  network_.block(blocked_);
}

void FaultInjector::partition(const std::vector<Group>& groups, std::string_view kind) {
  blocked_.clear();
  std::string text;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    text += (i ? " | " : "") + describe(groups[i]);
    for (std::size_t j = 0; j < groups.size(); ++j) {
      if (i == j) continue;
      for (const int id : groups[i]) blocked_[id].insert(groups[j].begin(), groups[j].end());
    }
  }
  apply_network();
  count(kind);
  event(std::string(kind) + ": " + text);
}

void FaultInjector::one_way(const Group& speakers, const Group& deaf) {
  blocked_.clear();
  for (const int id : deaf) blocked_[id] = speakers;
  apply_network();
  count("one-way");
  event("one-way: " + describe(deaf) + " hear nothing from " + describe(speakers) +
        " (the other way works)");
}

void FaultInjector::heal_network() {
  if (blocked_.empty()) return;
  blocked_.clear();
  apply_network();
  last_heal_ = Clock::now();
  event("network healed");
}

void FaultInjector::pause(int id) {
  if (stopped_.count(id) || !paused_.insert(id).second) return;
  cluster_.pause(id);
  count("pause");
  event("SIGSTOP replica " + std::to_string(id));
}

void FaultInjector::resume(int id) {
  if (!paused_.erase(id)) return;
  cluster_.resume(id);
  last_heal_ = Clock::now();
  event("SIGCONT replica " + std::to_string(id));
}

void FaultInjector::kill(int id) {
  if (stopped_.count(id)) return;
  paused_.erase(id);
  cluster_.kill(id);
  stopped_.insert(id);
  count("kill");
  event("kill -9 replica " + std::to_string(id));
}

void FaultInjector::restart(int id) {
  if (!stopped_.count(id)) return;
  const auto began = Clock::now();
  try {
    cluster_.start(id);
    stopped_.erase(id);
    last_heal_ = Clock::now();
    count("restart");
    event("replica " + std::to_string(id) + " restarted (up in " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began).count()) +
          " ms)");
  } catch (const std::exception& error) {
    cluster_.kill(id);  // whatever is left of it
    findings_.push_back({"replica " + std::to_string(id) + " did not restart: " + error.what()});
    event("replica " + std::to_string(id) + " did NOT restart: " + error.what());
  }
}

void FaultInjector::fill_disk(int id) {
  TmpfsMount& disk = *disks_.at(static_cast<std::size_t>(id - 1));
  if (disk.filled()) return;
  disk.fill();
  full_.insert(id);
  count("disk-full");
  event("disk of replica " + std::to_string(id) + " full (" + std::to_string(disk.free_bytes()) +
        " bytes free)");
}

void FaultInjector::free_disk(int id) {
  TmpfsMount& disk = *disks_.at(static_cast<std::size_t>(id - 1));
  if (!disk.filled()) return;
  disk.release();
  full_.erase(id);
  last_heal_ = Clock::now();
  event("disk of replica " + std::to_string(id) + " has space again");
}

void FaultInjector::kill_and_wipe(int id) {
  kill(id);
  disks_.at(static_cast<std::size_t>(id - 1))->wipe();
  full_.erase(id);
  count("wipe");
  event("data dir of replica " + std::to_string(id) + " wiped (a lost disk)");
}

void FaultInjector::heal_all() {
  watch_exits();
  heal_network();
  for (const int id : Group(full_)) free_disk(id);
  for (const int id : Group(paused_)) resume(id);
  for (const int id : Group(stopped_)) restart(id);
  event("all healed");
}

void FaultInjector::watch_exits() {
  for (const int id : cluster_.ids()) {
    if (stopped_.count(id) || cluster_.running(id)) continue;
    const bool disk_full = full_.count(id) != 0;
    const std::string how = "replica " + std::to_string(id) + " exited on its own" +
                            (disk_full ? " while its disk was full" : "");
    findings_.push_back({how + "; its log ends with:\n" + cluster_.log_tail(id, 15), disk_full});
    cluster_.kill(id);  // reaped: the cluster now counts it as stopped
    stopped_.insert(id);
    paused_.erase(id);
    event(how);
  }
}

void FaultInjector::wait(Clock::duration duration) {
  wait_until(Clock::now() + duration);
}

void FaultInjector::wait_until(Clock::time_point until) {
  while (Clock::now() < until) {
    stop_.sleep_until(std::min(until, Clock::now() + std::chrono::milliseconds(200)));
    watch_exits();
  }
}

}  // namespace paxoskv::nemesis

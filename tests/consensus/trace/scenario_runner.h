// Runs the commands of a scenario file (see scenario_file.h) against a ScriptedCluster
// and returns what each one makes happen, as text. The commands (a bare word is a flag,
// the rest are name=value; a value may be quoted: put="a b"):
//
//   cluster nodes=3                          first: replicas 1..3, nothing in flight
//   submit node=1 req=1 key=a put=x [expected=N] [timeout=MS]
//   submit node=1 req=2 key=a delete [expected=N] [timeout=MS]
//   submit node=1 req=3 key=a read [timeout=MS]
//   deliver [FILTER]                         delivers the queued messages that match, in
//                                            order, and what they send that matches,
//                                            until none is left
//   drop [FILTER]                            loses the queued messages that match
//   queued [FILTER]                          lists them
//   tick ms=N                                advances every replica's clock
//   run ms=N step=M [FILTER]                 tick M ms, then deliver, until N ms passed;
//                                            "at T ms" heads what a step prints
//   crash node=N | restart node=N            loses (restores) the core, not its disk
//   stall node=N                             its disk stops completing writes
//   partition node=N | partition from=N to=M cuts links (both ways | one way): what
//                                            crosses them is dropped at every deliver
//   heal                                     restores every link
//   hold node=N | release node=N             messages to and from N stay queued, as to
//                                            a hung replica (whose clock still runs)
//   state key=a                              each replica's persisted record of the key,
//                                            and every value chosen for it
//
// FILTER: from=N, to=N, type=Kind,... (Prepare, Promise, ...: consensus/messages.h),
// except=Kind,...; all that are given must hold.
//
// A delivery prints "1->2 Kind fields" (see printer.h), a Ready the replica takes
// "N Ready #n" with its records, messages and completions indented; drops and messages
// lost in a crash print as "drop ..." and "lost ...". A replica's answers to itself
// ("send 1->1 Promise ...") go back to it with its Ready, without a delivery line. Ready
// numbers count the empty Readies too, which print nothing: gaps are normal.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

#include "tests/consensus/scripted_cluster.h"

namespace paxoskv::trace {

// A command the runner cannot run as written (unknown, malformed, out of place).
class ScenarioError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class ScenarioRunner {
 public:
  ScenarioRunner() = default;
  ScenarioRunner(const ScenarioRunner&) = delete;
  ScenarioRunner& operator=(const ScenarioRunner&) = delete;

  // Runs one command line; returns its trace (lines each ended by '\n', none blank). A
  // failure inside the cluster (a replica that is down, two values chosen for one slot)
  // is part of the trace, as "error: ...". Throws ScenarioError on a bad command.
  std::string run(const std::string& command_line);

 private:
  class Arguments;

  void create_cluster(Arguments& args);
  void submit(Arguments& args);
  void advance(consensus::TimeMs ms);
  void deliver(Arguments& args);
  void deliver_matching(const std::function<bool(const sim::Envelope&)>& match);
  void drop_partitioned();
  void drop(Arguments& args);
  void list_queued(Arguments& args);
  void crash(Arguments& args);
  void partition(Arguments& args);
  void print_state(Arguments& args);
  std::function<bool(const sim::Envelope&)> envelope_filter(Arguments& args) const;
  bool crosses_partition(const sim::Envelope& envelope) const;
  consensus::NodeId replica(std::uint64_t number) const;  // refuses one not in the cluster
  sim::ScriptedCluster& cluster();
  void print(const std::string& line);

  std::unique_ptr<sim::ScriptedCluster> cluster_;
  consensus::NodeId size_ = 0;
  std::set<consensus::NodeId> down_;
  std::set<consensus::NodeId> stalled_;
  std::set<consensus::NodeId> held_;
  std::set<std::pair<consensus::NodeId, consensus::NodeId>> cut_links_;  // (from, to)
  consensus::TimeMs now_ = 0;                                            // the cluster's clock
  std::string output_;
};

}  // namespace paxoskv::trace

// One membership change, as the replica that runs it drives it: C -> joint(C, C') -> C'.
//
//   1. Write kConfigKey := joint(C, C'), under C's quorums (a compare-and-set on its
//      version). From then on every decision needs a majority of C and a majority of C'.
//   2. Carry every key over: a CarryOp (phase 1 under the joint quorums) for each key that
//      a majority of C holds any record of. Afterwards a majority of C' holds each key's
//      latest chosen state durably, and any value C may have chosen in its open slot is
//      chosen again under the joint quorums.
//   3. Write kConfigKey := C', under the joint quorums. C' alone is in force.
// Why this is safe for any number of keys: README, "Design: membership".
//
// It is pure: its owner (the node's change runner, or the simulator) submits what
// take_steps() asks to the core, lists keys from the replicas, and reports back. A change
// that finds another one half done (a joint configuration in force) finishes that one
// first. One change at a time per driver; concurrent changes by several replicas are
// serialized by the compare-and-set of step 1 and 3.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/configuration.h"
#include "consensus/operation.h"
#include "consensus/planted_bug.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

struct ChangeRequest {
  enum class Kind { kAdd, kRemove };
  Kind kind = Kind::kAdd;
  ConfigMember member;  // for kRemove only the id counts
};

// How a change ended, when it did not succeed.
enum class ChangeFailure {
  kNone,
  kIdInUse,        // add: the id is a member, or was one
  kUnknownMember,  // remove: the id is no member
  kLastMember,     // remove: it is the only member
  kNoQuorum,       // a step did not get a quorum in time: the change may be half done
};

// What the owner must do next.
struct ChangeStep {
  enum class Kind {
    kSubmit,    // submit `op` on `key` to the core, then call on_submitted
    kListKeys,  // fetch the keys after `after` held by a majority of `from`, then on_keys
  };
  Kind kind = Kind::kSubmit;
  std::string key;
  Operation op;
  std::string after;
  std::vector<NodeId> from;
};

class ConfigChange {
 public:
  // `carry_window`: how many keys are carried at once.
  ConfigChange(ChangeRequest request, std::size_t carry_window,
               PlantedBug planted = PlantedBug::kNone);

  // Begins against the configuration in force at the driving replica.
  void begin(const Configuration& current);
  // The core answered what a kSubmit step submitted on `key`. `current` is the driving
  // replica's configuration in force once it did.
  void on_submitted(const std::string& key, Outcome outcome, const Configuration& current);
  // The keys after the asked position, in key order; `more`: there are later ones.
  void on_keys(std::vector<std::string> keys, bool more);

  std::vector<ChangeStep> take_steps();
  bool finished() const { return finished_; }
  ChangeFailure failure() const { return failure_; }
  // Once finished without failure: the configuration the change put in force.
  const Configuration& result() const { return result_; }

  // How far the carry-over is, for logs and status.
  std::uint64_t keys_carried() const { return keys_carried_; }

 private:
  enum class Stage { kIdle, kWritingJoint, kCarrying, kWritingFinal, kDone };

  void start_from(const Configuration& current);
  void begin_carry(const Configuration& joint);
  void write(const Configuration& next, Version expected);
  void carry_more();
  void finish(ChangeFailure failure);
  // Whether a test planted `bug` (see planted_bug.h): never in the production build.
  bool planted([[maybe_unused]] PlantedBug bug) const {
#ifdef PAXOSKV_PLANTED_BUGS
    return planted_ == bug;
#else
    return false;
#endif
  }

  ChangeRequest request_;
  std::size_t carry_window_;
  [[maybe_unused]] PlantedBug planted_;  // read only in the test build
  Stage stage_ = Stage::kIdle;
  bool finishing_other_ = false;  // finishing a change found half done, ours comes next
  Configuration joint_;           // the joint configuration being left
  Configuration result_;
  std::vector<ChangeStep> steps_;
  // Carry-over: keys listed and not yet carried, carried at once, retries left.
  std::deque<std::string> to_carry_;
  std::set<std::string> carrying_;
  std::string listed_up_to_;
  bool more_keys_ = true;
  bool listing_ = false;
  std::uint64_t keys_carried_ = 0;
  unsigned carry_failures_left_ = 0;
  unsigned failures_left_ = 0;  // compare-and-set conflicts still allowed
  bool finished_ = false;
  ChangeFailure failure_ = ChangeFailure::kNone;
};

// The configuration `request` asks for, from `current` (stable): nullopt with the reason
// in `failure` if it cannot be made.
std::optional<Configuration> changed_configuration(const Configuration& current,
                                                   const ChangeRequest& request,
                                                   ChangeFailure& failure);

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

#include "consensus/config_change.h"

#include <algorithm>
#include <utility>

#include "consensus/build_variant.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

namespace {

// Carries that may fail (no quorum by their deadline) before the change gives up, and
// compare-and-set conflicts (another change got in first) before it does.
constexpr unsigned kCarryFailuresAllowed = 3;
constexpr unsigned kConflictsAllowed = 5;

std::vector<ConfigMember> without(std::vector<ConfigMember> members, NodeId id) {
  members.erase(std::remove_if(members.begin(), members.end(),
                               [id](const ConfigMember& member) { return member.id == id; }),
                members.end());
  return members;
}

// Whether `current` already is what `request` asks for (another replica ran it).
bool already_done(const Configuration& current, const ChangeRequest& request) {
  if (current.joint()) return false;
  const bool member = current.is_member(request.member.id);
  return request.kind == ChangeRequest::Kind::kAdd ? member : !member;
}

}  // namespace

std::optional<Configuration> changed_configuration(const Configuration& current,
                                                   const ChangeRequest& request,
                                                   ChangeFailure& failure) {
  Configuration next;
  next.version = current.version + 1;
  next.retired = current.retired;
  const NodeId id = request.member.id;
  if (request.kind == ChangeRequest::Kind::kAdd) {
    if (current.id_used(id)) {
      failure = ChangeFailure::kIdInUse;
      return std::nullopt;
    }
    next.members = current.members;
    next.members.push_back(request.member);
    std::sort(next.members.begin(), next.members.end(),
              [](const ConfigMember& a, const ConfigMember& b) { return a.id < b.id; });
    return next;
  }
  if (!current.is_member(id)) {
    failure = ChangeFailure::kUnknownMember;
    return std::nullopt;
  }
  if (current.members.size() == 1) {
    failure = ChangeFailure::kLastMember;
    return std::nullopt;
  }
  next.members = without(current.members, id);
  next.retired.push_back(id);
  return next;
}

ConfigChange::ConfigChange(ChangeRequest request, std::size_t carry_window, PlantedBug planted)
    : request_(std::move(request)),
      carry_window_(std::max<std::size_t>(carry_window, 1)),
      planted_(planted),
      failures_left_(kConflictsAllowed) {}

void ConfigChange::begin(const Configuration& current) {
  start_from(current);
}

void ConfigChange::start_from(const Configuration& current) {
  if (current.joint()) {
    // Another change is half done: finish it, then ours.
    finishing_other_ = true;
    begin_carry(current);
    return;
  }
  finishing_other_ = false;
  if (already_done(current, request_) && stage_ != Stage::kIdle) {
    result_ = current;
    finish(ChangeFailure::kNone);
    return;
  }
  ChangeFailure failure = ChangeFailure::kNone;
  std::optional<Configuration> target = changed_configuration(current, request_, failure);
  if (!target) {
    finish(failure);
    return;
  }
  if (planted(PlantedBug::kChangeInOneStep)) {
    stage_ = Stage::kWritingFinal;
    write(*target, current.version);
    return;
  }
  Configuration joint = *target;
  joint.leaving = current.members;
  stage_ = Stage::kWritingJoint;
  write(joint, current.version);
}

void ConfigChange::begin_carry(const Configuration& joint) {
  joint_ = joint;
  stage_ = Stage::kCarrying;
  to_carry_.clear();
  carrying_.clear();
  listed_up_to_.clear();
  more_keys_ = !planted(PlantedBug::kChangeSkipsCarryOver);
  listing_ = false;
  carry_failures_left_ = kCarryFailuresAllowed;
  carry_more();
}

void ConfigChange::write(const Configuration& next, Version expected) {
  steps_.push_back(ChangeStep{ChangeStep::Kind::kSubmit,
                              std::string(kConfigKey),
                              PutOp{encode_configuration(next), expected},
                              {},
                              {}});
}

void ConfigChange::on_submitted(const std::string& key, Outcome outcome,
                                const Configuration& current) {
  if (finished_) return;
  if (key == kConfigKey && stage_ != Stage::kCarrying) {
    // A write of kConfigKey (a carry of kConfigKey only happens while carrying, and the
    // writes never do).
    if (outcome == Outcome::kConflict) {
      // Another change got in first: look again from what is in force now.
      if (failures_left_-- == 0) return finish(ChangeFailure::kNoQuorum);
      return start_from(current);
    }
    if (outcome != Outcome::kOk) return finish(ChangeFailure::kNoQuorum);
    if (stage_ == Stage::kWritingJoint) {
      if (!current.joint()) return start_from(current);  // finished by another replica
      finishing_other_ = false;
      begin_carry(current);
      return;
    }
    // The final write.
    if (finishing_other_) return start_from(current);
    result_ = current;
    return finish(ChangeFailure::kNone);
  }
  carrying_.erase(key);
  if (outcome == Outcome::kOk) {
    ++keys_carried_;
  } else {
    if (carry_failures_left_-- == 0) return finish(ChangeFailure::kNoQuorum);
    to_carry_.push_back(key);
  }
  carry_more();
}

void ConfigChange::on_keys(std::vector<std::string> keys, bool more) {
  if (finished_ || stage_ != Stage::kCarrying) return;
  listing_ = false;
  for (std::string& key : keys) {
    if (!listed_up_to_.empty() && key <= listed_up_to_) continue;  // sorted, no repeats
    listed_up_to_ = key;
    to_carry_.push_back(std::move(key));
  }
  more_keys_ = more && !keys.empty();
  carry_more();
}

void ConfigChange::carry_more() {
  if (stage_ != Stage::kCarrying) return;
  while (carrying_.size() < carry_window_ && !to_carry_.empty()) {
    std::string key = std::move(to_carry_.front());
    to_carry_.pop_front();
    if (!carrying_.insert(key).second) continue;
    steps_.push_back(ChangeStep{ChangeStep::Kind::kSubmit, key, CarryOp{}, {}, {}});
  }
  if (!to_carry_.empty() || !carrying_.empty()) return;
  if (more_keys_) {
    if (!listing_) {
      listing_ = true;
      steps_.push_back(ChangeStep{
          ChangeStep::Kind::kListKeys, {}, CarryOp{}, listed_up_to_, joint_.leaving_ids()});
    }
    return;
  }
  // Every key carried over: out of the joint configuration.
  Configuration next = joint_;
  next.version = joint_.version + 1;
  next.leaving.clear();
  stage_ = Stage::kWritingFinal;
  write(next, joint_.version);
}

void ConfigChange::finish(ChangeFailure failure) {
  stage_ = Stage::kDone;
  finished_ = true;
  failure_ = failure;
}

std::vector<ChangeStep> ConfigChange::take_steps() {
  return std::exchange(steps_, {});
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

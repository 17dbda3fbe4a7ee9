#include "consensus/operation_eval.h"

#include <variant>

#include "consensus/build_variant.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

namespace {

// cas=0: only if absent; cas=N: only if present at version N.
bool expectation_holds(std::optional<Version> expected, const AppliedRecord& state) {
  if (!expected) return true;
  if (*expected == 0) return !state.value.has_value();
  return state.value.has_value() && state.version == *expected;
}

}  // namespace

Evaluation evaluate(const Operation& op, const AppliedRecord& state) {
  if (const auto* put = std::get_if<PutOp>(&op)) {
    if (!expectation_holds(put->expected, state)) {
      return {false, std::nullopt, 0, Outcome::kConflict};
    }
    return {true, put->value, put->lease, Outcome::kOk};
  }
  if (const auto* remove = std::get_if<DeleteOp>(&op)) {
    if (!state.value) return {false, std::nullopt, 0, Outcome::kNotFound};
    if (!expectation_holds(remove->expected, state)) {
      return {false, std::nullopt, 0, Outcome::kConflict};
    }
    return {true, std::nullopt, 0, Outcome::kOk};
  }
  return {false, std::nullopt, 0, Outcome::kOk};
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

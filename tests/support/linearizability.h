// A linearizability checker for client histories of paxoskv.
//
// Each key is checked on its own (linearizability is compositional) against the sequential
// model of the API: a key has a version (0 while it never existed, +1 per successful change)
// and a value or absent. Per key, a few necessary conditions are checked first, since they name
// the culprits of the usual bugs directly (two changes creating one version, a version no
// write reaches, a result that contradicts the change that created its version, real time and
// versions ordering two ops oppositely). Then the Wing-Gong / Lowe (WGL) search, with its cache
// of (set of linearized ops, model state), decides exactly. Versions make it fast: a known
// result pins the version the key is at when the op takes effect, so such an op is taken as
// soon as it can be (no branching), a version some pending op still needs is never skipped,
// and only the unknown-result writes are branched on, one per distinct effect.
//
// Timing convention: op A precedes op B when A.completed < B.invoked. Equal times count as
// concurrent, so a coarse clock never produces false failures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace paxoskv::check {

enum class OpKind { kPut, kDelete, kRead };
// kFailed: a write the replica answered as definitely not applied (507 "no space"): it
// has no effect, so the checker leaves it out; a read that sees its value is refuted.
enum class OpResult { kOk, kNotFound, kConflict, kUnknown, kFailed };

struct HistoryOp {
  int client = 0;
  std::string key;
  OpKind kind = OpKind::kRead;
  std::optional<std::uint64_t> expected;  // cas: put/delete only if the key is at this version
  std::string value;                      // put's value
  std::uint64_t invoked = 0;              // time, any monotonic unit
  std::uint64_t completed = 0;            // ignored when result is kUnknown (+infinity)
  OpResult result = OpResult::kUnknown;
  std::uint64_t version = 0;              // for kOk / kNotFound / kConflict
  std::optional<std::string> read_value;  // for kOk reads; nullopt: only the version is checked
};

struct CheckOutcome {
  bool linearizable = true;
  bool inconclusive = false;  // some key hit max_states_per_key: it counts as linearizable
  std::string explanation;    // the first failing key, then any inconclusive keys
  std::size_t states_explored = 0;
};

// Checks that the ops with a known result can be ordered, each at one instant between its
// invocation and completion, so that the model yields exactly the reported results. An op
// with an unknown result may take effect at any instant after its invocation, or never;
// reads with an unknown result and failed writes (kFailed) are ignored.
CheckOutcome check_history(const std::vector<HistoryOp>& history,
                           std::size_t max_states_per_key = 2'000'000);

namespace detail {
// The same verdict from the WGL search alone, without the quick refutations that usually
// explain a failure first: for the checker's own tests.
CheckOutcome check_history_by_search(const std::vector<HistoryOp>& history,
                                     std::size_t max_states_per_key = 2'000'000);
}  // namespace detail

// One line for logs, e.g. `c2 put("k", "v", expected v3) @[10, 15] -> ok v4`.
std::string describe(const HistoryOp& op);

// Collects a history from concurrent clients. Ops never completed come out as kUnknown.
class HistoryRecorder {
 public:
  using Handle = std::size_t;

  // Records the op as invoked; any result fields in `op` are cleared.
  Handle invoke(HistoryOp op);
  // Throws std::out_of_range for a bad handle and std::logic_error if already completed.
  void complete(Handle handle, OpResult result, std::uint64_t version,
                std::optional<std::string> read_value, std::uint64_t completed);
  std::vector<HistoryOp> history() const;
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::vector<HistoryOp> ops_;
  std::vector<bool> completed_;
};

}  // namespace paxoskv::check

#include "tests/support/linearizability.h"

#include <algorithm>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <utility>

namespace paxoskv::check {
namespace {

// splitmix64's finalizer: a cheap, well-mixed 64-bit hash.
std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Quoted, escaped and shortened so that any value fits on one log line.
std::string quote(std::string_view text) {
  constexpr std::size_t kMaxShown = 48;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  if (text.size() > kMaxShown) out += "...(" + std::to_string(text.size()) + " bytes)";
  return out;
}

// Value ids: puts' values are interned per key as 0, 1, ...; these mark the other cases.
constexpr std::int32_t kAbsent = -1;
constexpr std::int32_t kNeverWritten = -2;  // a read value that no put of the key wrote
constexpr std::int32_t kNotRecorded = -3;   // an ok read without read_value
constexpr std::int32_t kUnobserved = -4;    // the effect of a put whose value no read saw

struct ModelState {
  std::uint64_t version = 0;
  std::int32_t value = kAbsent;

  bool present() const { return value != kAbsent; }
  bool operator==(const ModelState&) const = default;
};

class DynamicBitset {
 public:
  explicit DynamicBitset(std::size_t bits) : words_((bits + 63) / 64, 0) {}

  void set(std::size_t i) { words_[i / 64] |= bit(i); }
  void reset(std::size_t i) { words_[i / 64] &= ~bit(i); }
  bool test(std::size_t i) const { return (words_[i / 64] & bit(i)) != 0; }
  const std::vector<std::uint64_t>& words() const { return words_; }

 private:
  static std::uint64_t bit(std::size_t i) { return std::uint64_t{1} << (i % 64); }

  std::vector<std::uint64_t> words_;
};

// The WGL cache: the (linearized set, state) pairs already reached. Bitsets are stored without
// their leading all-ones and trailing all-zeros words (a canonical form), since the set of
// linearized ops is mostly a prefix: this keeps long histories affordable.
class StateCache {
 public:
  // False if the pair was already present. `linearized_hash` must identify the set well.
  bool insert(const DynamicBitset& linearized, std::uint64_t linearized_hash,
              const ModelState& state) {
    const auto& words = linearized.words();
    std::size_t lead = 0;
    while (lead < words.size() && words[lead] == ~std::uint64_t{0}) ++lead;
    std::size_t end = words.size();
    while (end > lead && words[end - 1] == 0) --end;
    const std::uint64_t hash =
        linearized_hash ^ mix64(mix64(state.version) + static_cast<std::uint32_t>(state.value));

    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    std::size_t slot = hash & mask;
    for (; slots_[slot] != 0; slot = (slot + 1) & mask) {
      const Entry& entry = entries_[slots_[slot] - 1];
      if (entry.hash == hash && entry.state == state && entry.lead == lead &&
          entry.length == end - lead &&
          std::equal(words.begin() + static_cast<std::ptrdiff_t>(lead),
                     words.begin() + static_cast<std::ptrdiff_t>(end),
                     arena_.begin() + static_cast<std::ptrdiff_t>(entry.offset))) {
        return false;
      }
    }
    entries_.push_back(Entry{hash, state, lead, end - lead, arena_.size()});
    arena_.insert(arena_.end(), words.begin() + static_cast<std::ptrdiff_t>(lead),
                  words.begin() + static_cast<std::ptrdiff_t>(end));
    slots_[slot] = entries_.size();
    return true;
  }

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::uint64_t hash;
    ModelState state;
    std::size_t lead;
    std::size_t length;
    std::size_t offset;  // into arena_
  };

  void grow() {
    slots_.assign(std::max<std::size_t>(1024, slots_.size() * 2), 0);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      std::size_t slot = entries_[i].hash & mask;
      while (slots_[slot] != 0) slot = (slot + 1) & mask;
      slots_[slot] = i + 1;
    }
  }

  std::vector<std::uint64_t> arena_;
  std::vector<Entry> entries_;
  std::vector<std::size_t> slots_;  // open addressing: 0 = empty, else entry index + 1
};

struct KeyVerdict {
  enum class Status { kLinearizable, kNotLinearizable, kInconclusive };
  Status status = Status::kLinearizable;
  std::string explanation;
  std::size_t states_explored = 0;
};

// Checks one key: quick refutations first (necessary conditions that name the usual bugs
// plainly), then the exact WGL search.
class KeyChecker {
 public:
  KeyChecker(std::string_view key, std::vector<const HistoryOp*> ops, std::size_t max_states)
      : key_(key), max_states_(max_states), linearized_(ops.size()) {
    std::stable_sort(ops.begin(), ops.end(), [](const HistoryOp* a, const HistoryOp* b) {
      return a->invoked < b->invoked;
    });
    ops_ = std::move(ops);
    classify_ops();
    index_required_versions();
    build_event_list();
  }

  KeyVerdict run(bool refutations) {
    KeyVerdict verdict;
    const auto finish = [&](KeyVerdict::Status status, std::string explanation) {
      verdict.status = status;
      verdict.explanation = std::move(explanation);
      verdict.states_explored = cache_.size();
      return verdict;
    };
    if (std::optional<std::string> refutation = refutations ? refute() : std::nullopt) {
      return finish(KeyVerdict::Status::kNotLinearizable,
                    "key " + quote(key_) + " is not linearizable: " + *refutation);
    }
    while (unlinearized_known_ > 0) {
      bool advanced = false;
      if (const std::optional<std::size_t> op = find_forced()) {
        // If this move fails, so does every alternative (a cache hit included).
        advanced = push(*op, /*forced=*/true, {});
      } else {
        advanced = branch(unknown_choices());
      }
      if (!advanced) {
        note_dead_end();
        while (!advanced) {
          while (!stack_.empty() && stack_.back().forced) pop();
          if (stack_.empty()) return finish(KeyVerdict::Status::kNotLinearizable, explain());
          advanced = branch(pop().untried);
        }
      }
      if (cache_.size() > max_states_) {
        return finish(KeyVerdict::Status::kInconclusive, "key " + quote(key_) + ": gave up after " +
                                                             std::to_string(cache_.size()) +
                                                             " states; undecided");
      }
    }
    return finish(KeyVerdict::Status::kLinearizable, "");
  }

 private:
  static constexpr std::size_t kHead = 0;

  struct Frame {
    std::size_t op;
    ModelState before;
    bool forced;
    std::vector<std::size_t> untried;  // alternatives to an unknown-result op, best first
  };

  struct DeepestPoint {
    std::vector<std::size_t> order;  // the linearized ops, in order
    ModelState state;
  };

  void classify_ops() {
    std::map<std::string_view, std::int32_t> ids;
    std::vector<std::size_t> writers;  // puts per value id
    for (const HistoryOp* op : ops_) {
      if (op->kind != OpKind::kPut) continue;
      const auto [it, added] =
          ids.try_emplace(op->value, static_cast<std::int32_t>(values_.size()));
      if (added) {
        values_.push_back(op->value);
        writers.push_back(0);
      }
      ++writers[static_cast<std::size_t>(it->second)];
    }
    // Per value id: the version of one known ok read of it, if any.
    std::vector<std::optional<std::uint64_t>> read_at(values_.size());
    for (const HistoryOp* op : ops_) {
      std::int32_t id = kAbsent;
      if (op->kind == OpKind::kPut) {
        id = ids.at(op->value);
      } else if (op->kind == OpKind::kRead && op->result == OpResult::kOk) {
        if (!op->read_value) {
          id = kNotRecorded;
        } else if (const auto it = ids.find(*op->read_value); it != ids.end()) {
          id = it->second;
          read_at[static_cast<std::size_t>(id)] = op->version;
        } else {
          id = kNeverWritten;
        }
      }
      value_id_.push_back(id);
      known_.push_back(op->result != OpResult::kUnknown);
      required_.push_back(known_.back() ? required_version(*op) : 0);
    }
    known_count_ = static_cast<std::size_t>(std::count(known_.begin(), known_.end(), true));
    unlinearized_known_ = known_count_;

    // Unknown-result ops with the same effect on the model are interchangeable: only the one
    // usable in the fewest states is tried (see unknown_choices). A value no read observes
    // is indistinguishable from any other; a value read and written by one put only fixes the
    // version that put must create.
    effect_.assign(ops_.size(), kAbsent);
    rank_.assign(ops_.size(), 0);
    pin_.assign(ops_.size(), std::nullopt);
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      if (known_[i]) continue;
      const HistoryOp& op = *ops_[i];
      const bool cas = op.expected.has_value();
      rank_[i] = !cas ? 2 : *op.expected == 0 ? 1 : 0;
      if (op.kind != OpKind::kPut) continue;
      const auto id = static_cast<std::size_t>(value_id_[i]);
      effect_[i] = read_at[id] ? value_id_[i] : kUnobserved;
      if (read_at[id] && writers[id] == 1) {
        // Version 0 is never present, so such a read fails anyway: never take effect.
        pin_[i] = *read_at[id] > 0 ? *read_at[id] - 1 : std::numeric_limits<std::uint64_t>::max();
        rank_[i] = 0;
      }
    }
  }

  // The version the key must be at right before a known op takes effect.
  static std::uint64_t required_version(const HistoryOp& op) {
    const bool changes = op.result == OpResult::kOk && op.kind != OpKind::kRead;
    // A change reporting version 0 is refuted before the search.
    return changes ? op.version - 1 : op.version;
  }

  static bool is_change(const HistoryOp& op) {
    return op.result == OpResult::kOk && op.kind != OpKind::kRead;
  }

  void index_required_versions() {
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      if (known_[i]) required_versions_.push_back(required_[i]);
    }
    std::sort(required_versions_.begin(), required_versions_.end());
    required_versions_.erase(std::unique(required_versions_.begin(), required_versions_.end()),
                             required_versions_.end());
    pending_requiring_.assign(required_versions_.size(), 0);
    required_index_.assign(ops_.size(), 0);
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      if (!known_[i]) continue;
      required_index_[i] = find_required(required_[i]);
      ++pending_requiring_[required_index_[i]];
    }
  }

  std::size_t find_required(std::uint64_t version) const {
    const auto it = std::lower_bound(required_versions_.begin(), required_versions_.end(), version);
    if (it == required_versions_.end() || *it != version) return required_versions_.size();
    return static_cast<std::size_t>(it - required_versions_.begin());
  }

  // How many known ops not yet linearized need the key at exactly `version`.
  int pending_at(std::uint64_t version) const {
    const std::size_t index = find_required(version);
    return index == required_versions_.size() ? 0 : pending_requiring_[index];
  }

  // Necessary conditions that name the culprits directly; nullopt if none is violated.
  std::optional<std::string> refute() const {
    // Every version is created by one change, and only a write can create one.
    std::map<std::uint64_t, std::size_t> creator;
    std::uint64_t writes = 0;
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      const HistoryOp& op = *ops_[i];
      if (op.kind != OpKind::kRead && (!known_[i] || is_change(op))) ++writes;
      const std::optional<std::uint64_t> version = created_version(i);
      if (!version) continue;
      if (*version == 0) return describe(op) + ": no change creates version 0";
      const auto [it, added] = creator.emplace(*version, i);
      if (!added) {
        return "both " + describe(*ops_[it->second]) + " and " + describe(op) +
               " must create version " + std::to_string(*version);
      }
    }
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      if (known_[i] && required_[i] > writes) {
        return describe(*ops_[i]) + " needs the key at version " + std::to_string(required_[i]) +
               ", but its " + std::to_string(writes) + " writes reach version " +
               std::to_string(writes) + " at most";
      }
    }
    // Where the creator of a version is known, so is the state at that version.
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      if (!known_[i]) continue;
      const std::uint64_t version = required_[i];
      const auto it = creator.find(version);
      if (version != 0 && it == creator.end()) continue;
      ModelState state{version, kAbsent};
      if (version != 0 && ops_[it->second]->kind == OpKind::kPut) {
        state.value = value_id_[it->second];
      }
      std::string why;
      if (!apply(state, i, &why)) {
        return describe(*ops_[i]) + ": " + why + ", as " +
               (version == 0 ? std::string("the key starts so")
                             : "made by " + describe(*ops_[it->second]));
      }
    }
    return refute_timing();
  }

  // The version a known ok change reports, or that a pinned unknown-result put must create.
  std::optional<std::uint64_t> created_version(std::size_t op) const {
    if (known_[op]) {
      return is_change(*ops_[op]) ? std::optional(ops_[op]->version) : std::nullopt;
    }
    if (!pin_[op] || *pin_[op] == std::numeric_limits<std::uint64_t>::max()) return std::nullopt;
    return *pin_[op] + 1;
  }

  // The change creating version v takes effect after every op needing an older version was
  // invoked, and before every op needing version v or newer completed.
  std::optional<std::string> refute_timing() const {
    std::uint64_t top = 0;
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      if (known_[i]) top = std::max(top, required_[i] + 1);
    }
    constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
    // Per version v >= 1: the latest invocation at or before its creation, the earliest
    // completion at or after it, and the ops they come from.
    std::vector<std::size_t> latest_before(top + 1, kNone);
    std::vector<std::size_t> earliest_after(top + 1, kNone);
    const auto later_invocation = [&](std::size_t& slot, std::size_t op) {
      if (slot == kNone || ops_[op]->invoked > ops_[slot]->invoked) slot = op;
    };
    const auto earlier_completion = [&](std::size_t& slot, std::size_t op) {
      if (slot == kNone || ops_[op]->completed < ops_[slot]->completed) slot = op;
    };
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      if (const std::optional<std::uint64_t> created = created_version(i)) {
        if (*created > top) continue;  // no op needs it
        const auto v = static_cast<std::size_t>(*created);
        later_invocation(latest_before[v], i);
        if (known_[i]) earlier_completion(earliest_after[v], i);
      } else if (known_[i]) {
        const auto v = static_cast<std::size_t>(required_[i]);
        later_invocation(latest_before[v + 1], i);
        if (v >= 1) earlier_completion(earliest_after[v], i);
      }
    }
    for (std::size_t v = 2; v <= top; ++v) {
      if (latest_before[v - 1] != kNone) later_invocation(latest_before[v], latest_before[v - 1]);
    }
    for (std::size_t v = top; v-- > 1;) {
      if (earliest_after[v + 1] != kNone) {
        earlier_completion(earliest_after[v], earliest_after[v + 1]);
      }
    }
    for (std::size_t v = 1; v <= top; ++v) {
      const std::size_t before = latest_before[v];
      const std::size_t after = earliest_after[v];
      if (before == kNone || after == kNone || ops_[after]->completed >= ops_[before]->invoked) {
        continue;
      }
      const auto role = [&](std::size_t op) {
        const std::optional<std::uint64_t> created = created_version(op);
        return created ? "creates version " + std::to_string(*created)
                       : "needs version " + std::to_string(required_[op]);
      };
      return describe(*ops_[before]) + " (" + role(before) + ") must take effect before " +
             describe(*ops_[after]) + " (" + role(after) +
             "), as versions never decrease, but that completed before it was invoked";
    }
    return std::nullopt;
  }

  // A doubly linked list of invocation and completion events in time order (invocations
  // first at equal times), from which linearized ops are unlinked; dancing links restore them.
  void build_event_list() {
    struct Event {
      std::uint64_t time;
      bool is_completion;
      std::size_t op;
    };
    std::vector<Event> events;
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      events.push_back({ops_[i]->invoked, false, i});
      if (known_[i]) events.push_back({ops_[i]->completed, true, i});
    }
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
      return std::tie(a.time, a.is_completion, a.op) < std::tie(b.time, b.is_completion, b.op);
    });
    const std::size_t nodes = events.size() + 2;  // plus head and tail sentinels
    tail_ = nodes - 1;
    next_.resize(nodes);
    prev_.resize(nodes);
    node_op_.assign(nodes, 0);
    node_is_call_.assign(nodes, false);
    call_node_.assign(ops_.size(), 0);
    completion_node_.assign(ops_.size(), 0);
    for (std::size_t n = 0; n < nodes; ++n) {
      next_[n] = n + 1 < nodes ? n + 1 : n;
      prev_[n] = n > 0 ? n - 1 : n;
    }
    for (std::size_t e = 0; e < events.size(); ++e) {
      const std::size_t n = e + 1;
      node_op_[n] = events[e].op;
      node_is_call_[n] = !events[e].is_completion;
      (events[e].is_completion ? completion_node_ : call_node_)[events[e].op] = n;
    }
  }

  // From the head, the invocations before the first pending completion are the ops that may
  // take effect next.
  bool is_call(std::size_t node) const { return node != tail_ && node_is_call_[node]; }

  void unlink(std::size_t n) {
    next_[prev_[n]] = next_[n];
    prev_[next_[n]] = prev_[n];
  }
  void relink(std::size_t n) {
    next_[prev_[n]] = n;
    prev_[next_[n]] = n;
  }

  static std::uint64_t op_hash(std::size_t op) { return mix64(op ^ 0x6a09e667f3bcc909ULL); }

  // Versions never decrease: moving past a version that a pending op needs is a dead end.
  bool feasible(std::size_t op, const ModelState& after) const {
    if (after.version == state_.version) return true;
    int pending = pending_at(state_.version);
    if (known_[op] && required_[op] == state_.version) --pending;
    return pending == 0;
  }

  // Whether `op` can take effect now and lead somewhere (then `after` is its result).
  bool can_take_effect(std::size_t op, std::optional<ModelState>& after) const {
    if (pin_[op] && *pin_[op] != state_.version) return false;
    after = apply(state_, op, nullptr);
    return after && feasible(op, *after);
  }

  // A known-result op that can take effect now. Taking it loses nothing: one that changes
  // nothing can be moved to this point of any linearization (the version, hence the state, is
  // the same until it), and one that changes the key must come next, since any other change
  // would take the version it reports.
  std::optional<std::size_t> find_forced() const {
    std::optional<ModelState> after;
    for (std::size_t node = next_[kHead]; is_call(node); node = next_[node]) {
      const std::size_t op = node_op_[node];
      if (known_[op] && can_take_effect(op, after)) return op;
    }
    return std::nullopt;
  }

  // The unknown-result ops worth trying next: per effect on the model, only the one usable in
  // the fewest states (a cas, then a put if absent, then a plain write), earliest invoked
  // first. Any linearization using another one here can swap the two, since the chosen one is
  // either unusable later or usable wherever the other is.
  std::vector<std::size_t> unknown_choices() const {
    std::map<std::int32_t, std::size_t> best;  // by effect
    std::optional<ModelState> after;
    for (std::size_t node = next_[kHead]; is_call(node); node = next_[node]) {
      const std::size_t op = node_op_[node];
      if (known_[op] || !can_take_effect(op, after)) continue;
      const auto [it, added] = best.try_emplace(effect_[op], op);
      if (!added && std::pair(rank_[op], op) < std::pair(rank_[it->second], it->second)) {
        it->second = op;
      }
    }
    // Values that reads observed first (descending ids: kUnobserved and kAbsent come last).
    std::vector<std::size_t> choices;
    for (auto it = best.rbegin(); it != best.rend(); ++it) choices.push_back(it->second);
    return choices;
  }

  // Tries the choices in order, keeping the rest as the alternatives of the one taken.
  bool branch(std::vector<std::size_t> choices) {
    for (std::size_t i = 0; i < choices.size(); ++i) {
      if (push(choices[i], /*forced=*/false,
               std::vector<std::size_t>(choices.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                        choices.end()))) {
        return true;
      }
    }
    return false;
  }

  // Linearizes `op` next, unless that leads to a state already explored.
  bool push(std::size_t op, bool forced, std::vector<std::size_t> untried) {
    std::optional<ModelState> after;
    if (!can_take_effect(op, after)) return false;
    linearized_.set(op);
    linearized_hash_ ^= op_hash(op);
    if (!cache_.insert(linearized_, linearized_hash_, *after)) {
      linearized_.reset(op);
      linearized_hash_ ^= op_hash(op);
      return false;
    }
    stack_.push_back({op, state_, forced, std::move(untried)});
    state_ = *after;
    unlink(call_node_[op]);
    if (known_[op]) {
      unlink(completion_node_[op]);
      --pending_requiring_[required_index_[op]];
      --unlinearized_known_;
    }
    return true;
  }

  // Undoes the last push, in reverse order as dancing links need.
  Frame pop() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    if (known_[frame.op]) {
      relink(completion_node_[frame.op]);
      ++pending_requiring_[required_index_[frame.op]];
      ++unlinearized_known_;
    }
    relink(call_node_[frame.op]);
    linearized_.reset(frame.op);
    linearized_hash_ ^= op_hash(frame.op);
    state_ = frame.before;
    return frame;
  }

  // Keeps the dead end with the most ops linearized: the failure is explained from there.
  void note_dead_end() {
    if (deepest_ && deepest_->order.size() >= stack_.size()) return;
    DeepestPoint point{{}, state_};
    point.order.reserve(stack_.size());
    for (const Frame& frame : stack_) point.order.push_back(frame.op);
    deepest_ = std::move(point);
  }

  std::string state_text(const ModelState& state) const {
    if (!state.present()) return "absent at version " + std::to_string(state.version);
    return "at version " + std::to_string(state.version) + " holding " +
           quote(values_[static_cast<std::size_t>(state.value)]);
  }

  // The key's state after `op` takes effect in `state`, or nullopt if it cannot with the result
  // it reported (then `why`, if given, says why). An unknown-result op that would change
  // nothing also yields nullopt: that is the same as never taking effect.
  std::optional<ModelState> apply(const ModelState& state, std::size_t op_index,
                                  std::string* why) const {
    const HistoryOp& op = *ops_[op_index];
    const std::int32_t value = value_id_[op_index];
    const auto reject = [why](const auto&... parts) -> std::optional<ModelState> {
      if (why != nullptr) {
        std::ostringstream out;
        (out << ... << parts);
        *why = out.str();
      }
      return std::nullopt;
    };
    const bool cas = op.expected.has_value();
    const std::uint64_t expected = op.expected.value_or(0);
    const std::uint64_t next_version = state.version + 1;
    // Only built on rejection: apply() is the search's inner loop.
    const auto now = [&] { return "the key is " + state_text(state); };
    switch (op.kind) {
      case OpKind::kPut: {
        const bool allowed = !cas || (expected == 0 ? !state.present()
                                                    : state.present() && state.version == expected);
        switch (op.result) {
          case OpResult::kUnknown:
            if (!allowed) return reject("unknown result; its cas fails here (", now(), ")");
            return ModelState{next_version, value};
          case OpResult::kOk:
            if (!allowed) return reject("ok, but its cas fails: ", now());
            if (op.version != next_version) {
              return reject("ok at version ", op.version, ", but it would create version ",
                            next_version, " (", now(), ")");
            }
            return ModelState{next_version, value};
          case OpResult::kConflict:
            if (!cas) return reject("a put without expected version cannot conflict");
            if (allowed) return reject("a conflict, but its cas succeeds: ", now());
            if (op.version != state.version) return reject("conflict, but ", now());
            return state;
          case OpResult::kNotFound:
            return reject("a put cannot report not found");
          case OpResult::kFailed:
            return reject("failed op");  // dropped before the search
        }
        break;
      }
      case OpKind::kDelete: {
        const bool allowed = state.present() && (!cas || state.version == expected);
        switch (op.result) {
          case OpResult::kUnknown:
            if (!allowed) return reject("unknown result; it would change nothing (", now(), ")");
            return ModelState{next_version, kAbsent};
          case OpResult::kOk:
            if (!allowed) return reject("ok, but ", now());
            if (op.version != next_version) {
              return reject("ok at version ", op.version, ", but it would create version ",
                            next_version);
            }
            return ModelState{next_version, kAbsent};
          case OpResult::kNotFound:
            if (state.present() || op.version != state.version) {
              return reject("not found, but ", now());
            }
            return state;
          case OpResult::kConflict:
            if (!cas) return reject("a delete without expected version cannot conflict");
            if (!state.present()) return reject("a conflict, but ", now(), " (not found)");
            if (state.version == expected) return reject("a conflict, but its cas succeeds");
            if (op.version != state.version) return reject("conflict, but ", now());
            return state;
          case OpResult::kFailed:
            return reject("failed op");  // dropped before the search
        }
        break;
      }
      case OpKind::kRead:
        switch (op.result) {
          case OpResult::kOk:
            if (!state.present() || op.version != state.version) {
              return reject("read v", op.version, ", but ", now());
            }
            if (value != kNotRecorded && value != state.value) {
              return reject("value differs: ", now(),
                            value == kNeverWritten ? "; no put wrote the value read" : "");
            }
            return state;
          case OpResult::kNotFound:
            if (state.present() || op.version != state.version) {
              return reject("not found at v", op.version, ", but ", now());
            }
            return state;
          case OpResult::kConflict:
            return reject("a read cannot conflict");
          case OpResult::kUnknown:
          case OpResult::kFailed:
            return reject("unknown read");  // dropped before the search
        }
        break;
    }
    return reject("unexpected op");
  }

  // Why `op` cannot be linearized next at the deepest dead end.
  std::string why_not_next(std::size_t op, const ModelState& state,
                           const DynamicBitset& linearized) const {
    if (pin_[op] && *pin_[op] != state.version) {
      return "the only put of its value, which a read saw at version " +
             std::to_string(*pin_[op] + 1);
    }
    std::string why;
    const std::optional<ModelState> after = apply(state, op, &why);
    if (!after) return why;
    if (after->version != state.version) {
      for (std::size_t other = 0; other < ops_.size(); ++other) {
        if (other != op && known_[other] && !linearized.test(other) &&
            required_[other] == state.version) {
          return "it would move the key to version " + std::to_string(after->version) + " while " +
                 describe(*ops_[other]) + " needs version " + std::to_string(state.version);
        }
      }
    }
    return "every continuation after it fails";
  }

  std::string explain() const {
    const DeepestPoint& point = *deepest_;
    DynamicBitset linearized(ops_.size());
    for (const std::size_t op : point.order) linearized.set(op);

    std::ostringstream out;
    out << "key " << quote(key_) << " is not linearizable: at most " << point.order.size() << " of "
        << ops_.size() << " ops linearize (" << cache_.size() << " states explored)";
    constexpr std::size_t kShownHistory = 3;
    if (point.order.empty()) {
      out << "\n  no op can take effect first; the key starts absent at version 0";
    } else {
      out << "\n  last ops linearized:";
      const std::size_t from = point.order.size() - std::min(point.order.size(), kShownHistory);
      for (std::size_t i = from; i < point.order.size(); ++i) {
        out << "\n    " << describe(*ops_[point.order[i]]);
      }
      out << "\n  then the key is " << state_text(point.state);
    }

    // The first pending completion bounds which ops may take effect before it.
    std::optional<std::size_t> deadline;
    for (std::size_t op = 0; op < ops_.size(); ++op) {
      if (known_[op] && !linearized.test(op) &&
          (!deadline || ops_[op]->completed < ops_[*deadline]->completed)) {
        deadline = op;
      }
    }
    if (!deadline) return out.str();
    const std::uint64_t by = ops_[*deadline]->completed;
    out << "\n  " << describe(*ops_[*deadline]) << " must take effect by time " << by
        << ", but no op invoked by then can take effect next:";
    constexpr std::size_t kShownCandidates = 8;
    std::size_t shown = 0;
    std::size_t skipped = 0;
    // Known ops first: unknown ones never block anything, they are only possible helpers.
    for (const bool known_pass : {true, false}) {
      for (std::size_t op = 0; op < ops_.size(); ++op) {
        if (known_[op] != known_pass || linearized.test(op) || ops_[op]->invoked > by) continue;
        if (shown == kShownCandidates) {
          ++skipped;
          continue;
        }
        ++shown;
        out << "\n    " << describe(*ops_[op]) << ": " << why_not_next(op, point.state, linearized);
      }
    }
    if (skipped > 0) out << "\n    ... and " << skipped << " more";
    return out.str();
  }

  std::string_view key_;
  std::size_t max_states_;
  std::vector<const HistoryOp*> ops_;  // by invocation time; indices below refer to this
  std::vector<std::string_view> values_;
  std::vector<std::int32_t> value_id_;
  std::vector<bool> known_;
  std::vector<std::uint64_t> required_;  // per known op: the version it needs
  std::size_t known_count_ = 0;
  std::size_t unlinearized_known_ = 0;

  // Per unknown-result op: its effect (value id, kUnobserved or kAbsent for deletes), how
  // many states it is usable in (0: one version, 1: when absent, 2: any), and for a put whose
  // value only it writes and a read saw, the version it must find.
  std::vector<std::int32_t> effect_;
  std::vector<int> rank_;
  std::vector<std::optional<std::uint64_t>> pin_;

  std::vector<std::uint64_t> required_versions_;  // distinct, sorted
  std::vector<std::size_t> required_index_;       // per known op, into required_versions_
  std::vector<int> pending_requiring_;            // unlinearized known ops per version

  std::vector<std::size_t> next_, prev_, node_op_, call_node_, completion_node_;
  std::vector<bool> node_is_call_;
  std::size_t tail_ = 0;

  ModelState state_;
  DynamicBitset linearized_;
  std::uint64_t linearized_hash_ = 0;
  std::vector<Frame> stack_;
  StateCache cache_;
  std::optional<DeepestPoint> deepest_;
};

CheckOutcome check(const std::vector<HistoryOp>& history, std::size_t max_states_per_key,
                   bool refutations) {
  CheckOutcome outcome;
  std::map<std::string_view, std::vector<const HistoryOp*>> by_key;
  for (const HistoryOp& op : history) {
    if (op.result == OpResult::kFailed) continue;  // it never took effect
    if (op.result == OpResult::kUnknown) {
      if (op.kind == OpKind::kRead) continue;  // a read without answer constrains nothing
    } else if (op.completed < op.invoked) {
      outcome.linearizable = false;
      outcome.explanation = "malformed history: " + describe(op) + " completes before invoked";
      return outcome;
    }
    by_key[op.key].push_back(&op);
  }

  std::string undecided;
  for (auto& [key, ops] : by_key) {
    KeyVerdict verdict = KeyChecker(key, std::move(ops), max_states_per_key).run(refutations);
    outcome.states_explored += verdict.states_explored;
    if (verdict.status == KeyVerdict::Status::kNotLinearizable) {
      outcome.linearizable = false;
      outcome.explanation = std::move(verdict.explanation);
      break;
    }
    if (verdict.status == KeyVerdict::Status::kInconclusive) {
      outcome.inconclusive = true;
      undecided += (undecided.empty() ? "" : "\n") + verdict.explanation;
    }
  }
  if (!undecided.empty()) {
    outcome.explanation += (outcome.explanation.empty() ? "" : "\n") + undecided;
  }
  return outcome;
}

}  // namespace

CheckOutcome check_history(const std::vector<HistoryOp>& history, std::size_t max_states_per_key) {
  return check(history, max_states_per_key, /*refutations=*/true);
}

CheckOutcome detail::check_history_by_search(const std::vector<HistoryOp>& history,
                                             std::size_t max_states_per_key) {
  return check(history, max_states_per_key, /*refutations=*/false);
}

std::string describe(const HistoryOp& op) {
  std::ostringstream out;
  out << 'c' << op.client << ' ';
  switch (op.kind) {
    case OpKind::kPut:
      out << "put(" << quote(op.key) << ", " << quote(op.value);
      break;
    case OpKind::kDelete:
      out << "delete(" << quote(op.key);
      break;
    case OpKind::kRead:
      out << "read(" << quote(op.key);
      break;
  }
  if (op.expected) out << ", expected v" << *op.expected;
  out << ") @[" << op.invoked << ", ";
  if (op.result == OpResult::kUnknown) {
    out << "?] -> unknown";
    return out.str();
  }
  out << op.completed << "] -> ";
  switch (op.result) {
    case OpResult::kOk:
      out << "ok v" << op.version;
      if (op.kind == OpKind::kRead && op.read_value) out << ' ' << quote(*op.read_value);
      break;
    case OpResult::kNotFound:
      out << "not found v" << op.version;
      break;
    case OpResult::kConflict:
      out << "conflict v" << op.version;
      break;
    case OpResult::kFailed:
      out << "failed (not applied)";
      break;
    case OpResult::kUnknown:
      break;
  }
  return out.str();
}

HistoryRecorder::Handle HistoryRecorder::invoke(HistoryOp op) {
  op.result = OpResult::kUnknown;
  op.version = 0;
  op.completed = 0;
  op.read_value.reset();
  const std::lock_guard lock(mutex_);
  ops_.push_back(std::move(op));
  completed_.push_back(false);
  return ops_.size() - 1;
}

void HistoryRecorder::complete(Handle handle, OpResult result, std::uint64_t version,
                               std::optional<std::string> read_value, std::uint64_t completed) {
  const std::lock_guard lock(mutex_);
  if (handle >= ops_.size()) throw std::out_of_range("HistoryRecorder: unknown handle");
  if (completed_[handle]) throw std::logic_error("HistoryRecorder: op completed twice");
  completed_[handle] = true;
  HistoryOp& op = ops_[handle];
  op.result = result;
  op.version = version;
  op.read_value = std::move(read_value);
  op.completed = completed;
}

std::vector<HistoryOp> HistoryRecorder::history() const {
  const std::lock_guard lock(mutex_);
  return ops_;
}

std::size_t HistoryRecorder::size() const {
  const std::lock_guard lock(mutex_);
  return ops_.size();
}

}  // namespace paxoskv::check

// The writes other replicas forwarded to this one lately, and how they were answered:
// drops duplicates and late copies of them, and answers again when the sender withdraws
// one that was answered already (the answer may have been lost).
//
// How long is long enough: the sender withdraws a write only until its client's deadline,
// which is at most the write's timeout after we received it. An entry is kept for that
// timeout after its receipt and again after its answer, so every withdrawal the sender
// may still be waiting on finds it (a later one is answered to nobody).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/operation.h"
#include "consensus/types.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

class SeenForwards {
 public:
  struct Answer {
    Outcome outcome = Outcome::kOk;
    Version version = 0;
  };

  // Records `op` as seen at `now`, to be kept `keep_ms` past its receipt and past its
  // answer; false if it was seen already.
  bool insert(const OpId& op, TimeMs now, TimeMs keep_ms) {
    if (!entries_.try_emplace(op, Entry{std::nullopt, now + keep_ms, keep_ms}).second) {
      return false;
    }
    forget_queue_.emplace(now + keep_ms, op);
    return true;
  }

  // Only for an op inserted earlier (and not forgotten yet).
  void set_answer(const OpId& op, Answer answer, TimeMs now) {
    auto it = entries_.find(op);
    if (it == entries_.end()) return;
    it->second.answer = answer;
    it->second.forget_at = now + it->second.keep_ms;
    forget_queue_.emplace(it->second.forget_at, op);
  }

  // nullptr if `op` was not seen; else its answer, if it was answered.
  const std::optional<Answer>* find(const OpId& op) const {
    auto it = entries_.find(op);
    return it == entries_.end() ? nullptr : &it->second.answer;
  }

  // Forgets the entries whose time has come.
  void forget_old(TimeMs now) {
    while (!forget_queue_.empty() && forget_queue_.top().first <= now) {
      const auto [at, op] = forget_queue_.top();
      forget_queue_.pop();
      auto it = entries_.find(op);
      // An answer moved the entry's time on: a later queue item forgets it.
      if (it != entries_.end() && it->second.forget_at <= now) entries_.erase(it);
    }
  }

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::optional<Answer> answer;
    TimeMs forget_at = 0;
    TimeMs keep_ms = 0;
  };
  struct OpIdHash {
    std::size_t operator()(const OpId& op) const {
      return std::hash<std::uint64_t>{}(op.seq * 31 + op.node);
    }
  };
  struct LaterFirst {
    bool operator()(const std::pair<TimeMs, OpId>& a, const std::pair<TimeMs, OpId>& b) const {
      return a.first > b.first;
    }
  };

  std::unordered_map<OpId, Entry, OpIdHash> entries_;
  std::priority_queue<std::pair<TimeMs, OpId>, std::vector<std::pair<TimeMs, OpId>>, LaterFirst>
      forget_queue_;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

// The writes other replicas forwarded to this one lately, and how they were answered:
// drops duplicates and late copies of them, and answers again when the sender withdraws
// one that was answered already (the answer may have been lost).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>

#include "consensus/operation.h"
#include "consensus/types.h"

namespace paxoskv::consensus {

class SeenForwards {
 public:
  struct Answer {
    Outcome outcome = Outcome::kOk;
    Version version = 0;
  };

  explicit SeenForwards(TimeMs retention_ms) : retention_ms_(retention_ms) {}

  // Records `op` as seen at `now`; false if it was seen already.
  bool insert(const OpId& op, TimeMs now) {
    if (!entries_.try_emplace(op, std::nullopt).second) return false;
    order_.emplace_back(now + retention_ms_, op);
    return true;
  }

  // Only for an op inserted earlier (and not forgotten yet).
  void set_answer(const OpId& op, Answer answer) {
    auto it = entries_.find(op);
    if (it != entries_.end()) it->second = answer;
  }

  // nullptr if `op` was not seen; else its answer, if it was answered.
  const std::optional<Answer>* find(const OpId& op) const {
    auto it = entries_.find(op);
    return it == entries_.end() ? nullptr : &it->second;
  }

  // Forgets what was seen more than the retention ago.
  void forget_old(TimeMs now) {
    while (!order_.empty() && order_.front().first <= now) {
      entries_.erase(order_.front().second);
      order_.pop_front();
    }
  }

 private:
  struct OpIdHash {
    std::size_t operator()(const OpId& op) const {
      return std::hash<std::uint64_t>{}(op.seq * 31 + op.node);
    }
  };

  TimeMs retention_ms_;
  std::unordered_map<OpId, std::optional<Answer>, OpIdHash> entries_;
  std::deque<std::pair<TimeMs, OpId>> order_;  // by time to forget
};

}  // namespace paxoskv::consensus

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/linearizability.h"

namespace {

using paxoskv::check::check_history;
using paxoskv::check::CheckOutcome;
using paxoskv::check::describe;
using paxoskv::check::HistoryOp;
using paxoskv::check::HistoryRecorder;
using paxoskv::check::OpKind;
using paxoskv::check::OpResult;
using History = std::vector<HistoryOp>;

// Reads like the history it builds: put("k", "a").by(1).at(0, 5).ok(1).
struct Op {
  HistoryOp op;

  Op by(int client) const {
    return with([&](HistoryOp& o) { o.client = client; });
  }
  Op at(std::uint64_t invoked, std::uint64_t completed) const {
    return with([&](HistoryOp& o) {
      o.invoked = invoked;
      o.completed = completed;
    });
  }
  Op cas(std::uint64_t expected) const {
    return with([&](HistoryOp& o) { o.expected = expected; });
  }
  Op ok(std::uint64_t version) const { return result(OpResult::kOk, version); }
  Op ok(std::uint64_t version, std::string value) const {
    return with([&](HistoryOp& o) {
      o.result = OpResult::kOk;
      o.version = version;
      o.read_value = value;
    });
  }
  Op not_found(std::uint64_t version) const { return result(OpResult::kNotFound, version); }
  Op conflict(std::uint64_t version) const { return result(OpResult::kConflict, version); }
  // Answered as definitely not applied (507 "no space").
  Op failed() const { return result(OpResult::kFailed, 0); }
  // No answer: only the invocation time counts.
  Op unknown_from(std::uint64_t invoked) const {
    return with([&](HistoryOp& o) {
      o.invoked = invoked;
      o.result = OpResult::kUnknown;
    });
  }
  operator HistoryOp() const { return op; }

 private:
  Op with(const std::function<void(HistoryOp&)>& change) const {
    Op copy = *this;
    change(copy.op);
    return copy;
  }
  Op result(OpResult result, std::uint64_t version) const {
    return with([&](HistoryOp& o) {
      o.result = result;
      o.version = version;
    });
  }
};

Op put(std::string key, std::string value) {
  HistoryOp op;
  op.key = std::move(key);
  op.kind = OpKind::kPut;
  op.value = std::move(value);
  return Op{op};
}
Op del(std::string key) {
  HistoryOp op;
  op.key = std::move(key);
  op.kind = OpKind::kDelete;
  return Op{op};
}
Op read(std::string key) {
  HistoryOp op;
  op.key = std::move(key);
  op.kind = OpKind::kRead;
  return Op{op};
}

// Both the checker and its search alone (without the quick refutations) must agree.
using Checker = CheckOutcome (*)(const History&, std::size_t);
constexpr std::pair<const char*, Checker> kCheckers[] = {
    {"checker", &check_history},
    {"search alone", &paxoskv::check::detail::check_history_by_search},
};

bool linearizable(const History& history) {
  const CheckOutcome outcome = check_history(history);
  const CheckOutcome searched = paxoskv::check::detail::check_history_by_search(history);
  INFO(outcome.explanation << "\nsearch alone: " << searched.explanation);
  REQUIRE_FALSE(outcome.inconclusive);
  REQUIRE_FALSE(searched.inconclusive);
  REQUIRE(outcome.linearizable == searched.linearizable);
  return outcome.linearizable;
}

// Every op kind and result, one after the other.
History sequential_history() {
  return {
      read("k").by(1).at(0, 1).not_found(0),
      del("k").by(1).at(2, 3).not_found(0),
      del("k").by(1).at(4, 5).cas(3).not_found(0),
      put("k", "a").by(1).at(6, 7).cas(2).conflict(0),
      put("k", "a").by(2).at(8, 9).cas(0).ok(1),
      read("k").by(2).at(10, 11).ok(1, "a"),
      put("k", "b").by(1).at(12, 13).cas(1).ok(2),
      put("k", "c").by(1).at(14, 15).cas(1).conflict(2),
      put("k", "c").by(1).at(16, 17).cas(0).conflict(2),
      read("k").by(3).at(18, 19).ok(2, "b"),
      del("k").by(3).at(20, 21).cas(1).conflict(2),
      del("k").by(3).at(22, 23).cas(2).ok(3),
      read("k").by(1).at(24, 25).not_found(3),
      del("k").by(1).at(26, 27).not_found(3),
      del("k").by(1).at(28, 29).cas(3).not_found(3),
      put("k", "d").by(2).at(30, 31).cas(3).conflict(3),
      put("k", "d").by(2).at(32, 33).cas(0).ok(4),
      put("k", "e").by(2).at(34, 35).ok(5),
      read("k").by(4).at(36, 37).ok(5, "e"),
      del("k").by(4).at(38, 39).ok(6),
      put("k", "f").by(4).at(40, 41).ok(7),
      read("k").by(4).at(42, 43).ok(7, "f"),
  };
}

TEST_CASE("sequential histories of every op kind and result are linearizable") {
  const History history = sequential_history();
  CHECK(linearizable(history));

  // In a sequential history every result is forced: any other version must fail.
  for (std::size_t i = 0; i < history.size(); ++i) {
    for (const std::int64_t delta : {-1, 1}) {
      if (history[i].version == 0 && delta < 0) continue;
      History changed = history;
      changed[i].version += static_cast<std::uint64_t>(delta);
      INFO("changed: " << describe(changed[i]));
      CHECK_FALSE(linearizable(changed));
    }
  }
}

TEST_CASE("the empty history and histories of only unknown ops are linearizable") {
  CHECK(linearizable({}));
  CHECK(linearizable({put("k", "a").unknown_from(3), read("k").unknown_from(0)}));
}

TEST_CASE("overlapping puts may take effect in either order") {
  SECTION("a first") {
    CHECK(linearizable({
        put("k", "a").by(1).at(0, 10).ok(1),
        put("k", "b").by(2).at(1, 11).ok(2),
        read("k").by(3).at(2, 9).ok(1, "a"),
        read("k").by(4).at(12, 13).ok(2, "b"),
    }));
  }
  SECTION("b first") {
    CHECK(linearizable({
        put("k", "a").by(1).at(0, 10).ok(2),
        put("k", "b").by(2).at(1, 11).ok(1),
        read("k").by(3).at(2, 9).ok(1, "b"),
        read("k").by(4).at(12, 13).ok(2, "a"),
    }));
  }
  SECTION("a read after both must see the second one") {
    CHECK_FALSE(linearizable({
        put("k", "a").by(1).at(0, 10).ok(1),
        put("k", "b").by(2).at(1, 11).ok(2),
        read("k").by(4).at(12, 13).ok(1, "a"),
    }));
  }
}

TEST_CASE("a read that started after a write completed cannot return the older value") {
  const History stale = {
      put("k", "a").by(1).at(0, 1).ok(1),
      put("k", "b").by(1).at(2, 3).ok(2),
      read("k").by(2).at(4, 5).ok(1, "a"),
  };
  const CheckOutcome outcome = check_history(stale);
  CHECK_FALSE(outcome.linearizable);
  // The explanation names the key and the two ops that real time and versions order oppositely.
  INFO(outcome.explanation);
  CHECK(outcome.explanation == "key \"k\" is not linearizable: " + describe(stale[2]) +
                                   " (needs version 1) must take effect before " +
                                   describe(stale[1]) +
                                   " (creates version 2), as versions never decrease, but that "
                                   "completed before it was invoked");

  // Overlapping the second write, the same read is fine.
  History concurrent = stale;
  concurrent[2].invoked = 2;
  CHECK(linearizable(concurrent));
}

TEST_CASE("two puts returning the same version are not linearizable") {
  CHECK_FALSE(linearizable({
      put("k", "a").by(1).at(0, 10).ok(1),
      put("k", "b").by(2).at(1, 11).ok(1),
  }));
  CHECK_FALSE(linearizable({
      put("k", "a").by(1).at(0, 1).ok(1),
      put("k", "b").by(2).at(2, 3).ok(2),
      del("k").by(3).at(4, 5).ok(2),
  }));
}

TEST_CASE("a version skip is not linearizable") {
  CHECK_FALSE(linearizable({
      put("k", "a").by(1).at(0, 1).ok(1),
      put("k", "b").by(1).at(2, 3).ok(3),
  }));
  CHECK_FALSE(linearizable({put("k", "a").by(1).at(0, 1).ok(2)}));
  CHECK_FALSE(linearizable({
      put("k", "a").by(1).at(0, 10).ok(1),
      read("k").by(2).at(0, 10).ok(2, "a"),
  }));
}

TEST_CASE("a put reporting ok although its cas did not match is not linearizable") {
  const History base = {put("k", "a").by(1).at(0, 1).ok(1)};
  const auto with = [&](const Op& op) {
    History history = base;
    history.push_back(op);
    return history;
  };
  CHECK(linearizable(with(put("k", "b").by(2).at(2, 3).cas(1).ok(2))));
  CHECK_FALSE(linearizable(with(put("k", "b").by(2).at(2, 3).cas(0).ok(2))));
  CHECK_FALSE(linearizable(with(put("k", "b").by(2).at(2, 3).cas(5).ok(2))));
  CHECK_FALSE(linearizable(with(del("k").by(2).at(2, 3).cas(5).ok(2))));
  // The cas matched, so it cannot conflict either.
  CHECK_FALSE(linearizable(with(put("k", "b").by(2).at(2, 3).cas(1).conflict(1))));
}

TEST_CASE("a conflict must report the version current at some point of the op") {
  CHECK(linearizable({
      put("k", "a").by(1).at(0, 1).ok(1),
      put("k", "b").by(2).at(2, 3).cas(7).conflict(1),
  }));
  // Version 2 does not exist yet while the cas runs.
  CHECK_FALSE(linearizable({
      put("k", "a").by(1).at(0, 1).ok(1),
      put("k", "b").by(2).at(2, 3).cas(7).conflict(2),
      put("k", "c").by(1).at(4, 5).ok(2),
  }));
  // ... unless the write of version 2 overlaps it.
  CHECK(linearizable({
      put("k", "a").by(1).at(0, 1).ok(1),
      put("k", "b").by(2).at(2, 6).cas(7).conflict(2),
      put("k", "c").by(1).at(4, 5).ok(2),
  }));
  CHECK_FALSE(linearizable({
      put("k", "a").by(1).at(0, 1).ok(1),
      del("k").by(2).at(2, 3).cas(7).conflict(9),
  }));
}

TEST_CASE("a delete keeps the version and a later put continues from it") {
  const History kept = {
      put("k", "a").by(1).at(0, 1).ok(1),    del("k").by(1).at(2, 3).ok(2),
      read("k").by(2).at(4, 5).not_found(2), put("k", "b").by(1).at(6, 7).ok(3),
      read("k").by(2).at(8, 9).ok(3, "b"),
  };
  CHECK(linearizable(kept));

  History restarted = kept;
  restarted[3].version = 1;
  restarted[4].version = 1;
  CHECK_FALSE(linearizable(restarted));

  CHECK_FALSE(linearizable({
      put("k", "a").by(1).at(0, 1).ok(1),
      del("k").by(1).at(2, 3).ok(2),
      read("k").by(2).at(4, 5).not_found(0),
  }));
}

TEST_CASE("an unknown-result put may take effect at any time after its invocation, or never") {
  SECTION("observed by a later read") {
    CHECK(linearizable({
        put("k", "x").by(1).unknown_from(0),
        read("k").by(2).at(50, 51).ok(1, "x"),
    }));
  }
  SECTION("taking effect long after its client gave up, between two known writes") {
    CHECK(linearizable({
        put("k", "x").by(1).unknown_from(0),
        put("k", "a").by(1).at(10, 11).ok(1),
        read("k").by(2).at(12, 13).ok(1, "a"),
        read("k").by(2).at(20, 21).ok(2, "x"),
        put("k", "b").by(1).at(22, 23).ok(3),
    }));
  }
  SECTION("never taking effect") {
    CHECK(linearizable({
        put("k", "x").by(1).unknown_from(0),
        read("k").by(2).at(50, 51).not_found(0),
    }));
  }
  SECTION("observed before it was invoked") {
    CHECK_FALSE(linearizable({
        read("k").by(2).at(0, 5).ok(1, "x"),
        put("k", "x").by(1).unknown_from(10),
    }));
  }
  SECTION("accounting for a version no known write made") {
    CHECK(linearizable({
        put("k", "x").by(1).unknown_from(0),
        put("k", "b").by(2).at(5, 6).ok(2),
    }));
    CHECK_FALSE(linearizable({
        put("k", "x").by(1).unknown_from(0),
        put("k", "b").by(2).at(5, 6).ok(3),
    }));
  }
  SECTION("taking effect at most once") {
    CHECK_FALSE(linearizable({
        put("k", "x").by(1).unknown_from(0),
        read("k").by(2).at(10, 11).ok(1, "x"),
        read("k").by(2).at(12, 13).ok(2, "x"),
    }));
  }
  SECTION("an unknown cas only where its cas matches, an unknown delete only if present") {
    CHECK_FALSE(linearizable({
        put("k", "x").by(1).cas(4).unknown_from(0),
        read("k").by(2).at(10, 11).ok(1, "x"),
    }));
    CHECK(linearizable({
        put("k", "x").by(1).cas(0).unknown_from(0),
        read("k").by(2).at(10, 11).ok(1, "x"),
    }));
    CHECK_FALSE(linearizable({
        del("k").by(1).unknown_from(0),
        read("k").by(2).at(10, 11).not_found(1),
    }));
    CHECK(linearizable({
        put("k", "a").by(2).at(0, 1).ok(1),
        del("k").by(1).unknown_from(0),
        read("k").by(2).at(10, 11).not_found(2),
    }));
  }
}

TEST_CASE("a failed search explains the deepest point it reached") {
  const History history = {
      put("k", "a").by(1).at(0, 1).ok(1),
      read("k").by(2).at(2, 5).ok(2, "x"),
      put("k", "x").by(3).unknown_from(10),
  };
  // The quick refutation names the culprits directly...
  const CheckOutcome refuted = check_history(history);
  CHECK_FALSE(refuted.linearizable);
  CHECK(refuted.explanation ==
        "key \"k\" is not linearizable: " + describe(history[2]) +
            " (creates version 2) must take effect before " + describe(history[1]) +
            " (needs version 2), as versions never decrease, but that completed before it was "
            "invoked");
  // ... and the search shows where it got stuck.
  const CheckOutcome outcome = paxoskv::check::detail::check_history_by_search(history);
  INFO(outcome.explanation);
  CHECK_FALSE(outcome.linearizable);
  CHECK_THAT(outcome.explanation, Catch::StartsWith("key \"k\" is not linearizable: at most 1 "
                                                    "of 3 ops linearize"));
  CHECK_THAT(outcome.explanation,
             Catch::Contains("last ops linearized:\n    " + describe(history[0]) +
                             "\n  then the key is at version 1 holding "
                             "\"a\""));
  CHECK_THAT(outcome.explanation,
             Catch::Contains(describe(history[1]) +
                             " must take effect by time 5, but no op "
                             "invoked by then can take effect next:\n    " +
                             describe(history[1]) + ": read v2, but the key is at version 1"));
}

TEST_CASE("a read of a value that was never written is not linearizable") {
  CHECK_FALSE(linearizable({
      put("k", "a").by(1).at(0, 1).ok(1),
      read("k").by(2).at(2, 3).ok(1, "zzz"),
  }));
  // The value of another version is wrong too.
  CHECK_FALSE(linearizable({
      put("k", "a").by(1).at(0, 1).ok(1),
      put("k", "b").by(1).at(2, 3).ok(2),
      read("k").by(2).at(4, 5).ok(2, "a"),
  }));
  // Without a recorded value only the version is checked.
  History unrecorded = {
      put("k", "a").by(1).at(0, 1).ok(1),
      read("k").by(2).at(2, 3).ok(1),
  };
  CHECK(linearizable(unrecorded));
}

TEST_CASE("a write answered as failed (507) never takes effect") {
  SECTION("a later read that does not see it is fine") {
    CHECK(linearizable({
        put("k", "a").by(1).at(0, 1).ok(1),
        put("k", "x").by(2).at(2, 3).failed(),
        read("k").by(3).at(4, 5).ok(1, "a"),
        put("k", "b").by(1).at(6, 7).ok(2),
    }));
  }
  SECTION("a read of its value is not linearizable") {
    CHECK_FALSE(linearizable({
        put("k", "a").by(1).at(0, 1).ok(1),
        put("k", "x").by(2).at(2, 3).failed(),
        read("k").by(3).at(4, 5).ok(2, "x"),
    }));
  }
  SECTION("a version it would have made is not linearizable") {
    CHECK_FALSE(linearizable({
        put("k", "x").by(2).at(0, 1).failed(),
        put("k", "b").by(1).at(2, 3).ok(2),
    }));
  }
}

TEST_CASE("different keys are checked independently") {
  CHECK(linearizable({
      put("a", "1").by(1).at(0, 10).ok(1),
      put("b", "1").by(2).at(0, 10).ok(1),
      read("a").by(3).at(11, 12).ok(1, "1"),
      read("b").by(3).at(11, 12).ok(1, "1"),
      read("c").by(3).at(11, 12).not_found(0),
  }));
  const CheckOutcome outcome = check_history({
      put("a", "1").by(1).at(0, 1).ok(1),
      put("b", "1").by(2).at(0, 1).ok(1),
      read("b").by(3).at(2, 3).ok(1, "2"),
      read("a").by(3).at(2, 3).ok(1, "1"),
  });
  CHECK_FALSE(outcome.linearizable);
  CHECK_THAT(outcome.explanation, Catch::StartsWith("key \"b\""));
}

TEST_CASE("equal timestamps count as concurrent; a completion before invocation is malformed") {
  CHECK(linearizable({
      put("k", "a").by(1).at(0, 5).ok(1),
      put("k", "b").by(1).at(5, 6).ok(2),
      read("k").by(2).at(5, 5).ok(1, "a"),
  }));
  const CheckOutcome outcome = check_history({put("k", "a").by(1).at(5, 4).ok(1)});
  CHECK_FALSE(outcome.linearizable);
  CHECK_THAT(outcome.explanation, Catch::StartsWith("malformed history"));
}

TEST_CASE("a search over its state budget is inconclusive, not a failure") {
  const History history = {
      put("k", "a").by(1).at(0, 10).ok(1),
      put("k", "b").by(2).at(0, 10).ok(2),
      read("k").by(3).at(11, 12).ok(2, "b"),
  };
  const CheckOutcome limited = check_history(history, 1);
  CHECK(limited.linearizable);
  CHECK(limited.inconclusive);
  CHECK_THAT(limited.explanation, Catch::Contains("key \"k\""));
  const CheckOutcome full = check_history(history);
  CHECK(full.linearizable);
  CHECK_FALSE(full.inconclusive);
  CHECK(full.states_explored >= 3);
}

TEST_CASE("describe renders one op per line") {
  CHECK(describe(put("k", "v").by(2).cas(3).at(10, 15).ok(4)) ==
        "c2 put(\"k\", \"v\", expected v3) @[10, 15] -> ok v4");
  CHECK(describe(read("a\"b").by(1).at(1, 2).ok(7, "x\ny")) ==
        "c1 read(\"a\\\"b\") @[1, 2] -> ok v7 \"x\\x0ay\"");
  CHECK(describe(del("k").unknown_from(3)) == "c0 delete(\"k\") @[3, ?] -> unknown");
  CHECK(describe(read("k").at(1, 2).not_found(0)) == "c0 read(\"k\") @[1, 2] -> not found v0");
  CHECK(describe(del("k").cas(1).at(1, 2).conflict(2)) ==
        "c0 delete(\"k\", expected v1) @[1, 2] -> conflict v2");
}

TEST_CASE("HistoryRecorder records concurrent clients") {
  SECTION("uncompleted ops are unknown, completing twice or a bad handle throws") {
    HistoryRecorder recorder;
    const auto first = recorder.invoke(put("k", "a").by(1).at(1, 99).ok(42));
    const auto second = recorder.invoke(read("k").by(2).at(2, 0));
    recorder.complete(second, OpResult::kNotFound, 0, std::nullopt, 3);
    CHECK_THROWS_AS(recorder.complete(second, OpResult::kOk, 1, std::nullopt, 4), std::logic_error);
    CHECK_THROWS_AS(recorder.complete(7, OpResult::kOk, 1, std::nullopt, 4), std::out_of_range);
    const History history = recorder.history();
    REQUIRE(history.size() == 2);
    CHECK(history[first].result == OpResult::kUnknown);
    CHECK(history[first].invoked == 1);
    CHECK(history[second].result == OpResult::kNotFound);
    CHECK(history[second].completed == 3);
  }

  SECTION("a history of threads sharing a locked map is linearizable") {
    struct Entry {
      std::uint64_t version = 0;
      std::optional<std::string> value;
    };
    std::mutex store_mutex;
    std::map<std::string, Entry> store;
    std::atomic<std::uint64_t> clock{0};
    HistoryRecorder recorder;
    const auto client = [&](int id) {
      std::mt19937_64 rng(static_cast<std::uint64_t>(id));
      for (int i = 0; i < 200; ++i) {
        HistoryOp op;
        op.client = id;
        op.key = "k" + std::to_string(rng() % 2);
        op.kind = static_cast<OpKind>(rng() % 3);
        op.value = "c" + std::to_string(id) + "-" + std::to_string(i);
        op.invoked = clock++;
        const auto handle = recorder.invoke(op);
        OpResult result = OpResult::kOk;
        std::optional<std::string> read_value;
        std::uint64_t version = 0;
        {
          const std::lock_guard lock(store_mutex);
          Entry& entry = store[op.key];
          if (op.kind == OpKind::kPut) {
            entry.value = op.value;
            ++entry.version;
          } else if (!entry.value) {
            result = OpResult::kNotFound;
          } else if (op.kind == OpKind::kDelete) {
            entry.value.reset();
            ++entry.version;
          } else {
            read_value = entry.value;
          }
          version = entry.version;
        }
        if (rng() % 10 == 0) continue;  // it took effect, but the client never hears back
        recorder.complete(handle, result, version, read_value, clock++);
      }
    };
    std::vector<std::thread> threads;
    for (int id = 0; id < 4; ++id) threads.emplace_back(client, id);
    for (auto& thread : threads) thread.join();
    const History history = recorder.history();
    CHECK(history.size() == 800);
    CHECK(linearizable(history));
  }
}

// The sequential model of one key, straight from the API contract.
struct Entry {
  std::uint64_t version = 0;
  std::optional<std::string> value;
};

// Takes effect on `entry` and fills in the result `op` gets.
void apply_to_model(Entry& entry, HistoryOp& op) {
  const bool present = entry.value.has_value();
  const std::uint64_t expected = op.expected.value_or(0);
  op.result = OpResult::kOk;
  op.read_value.reset();
  switch (op.kind) {
    case OpKind::kPut:
      if (op.expected && !(expected == 0 ? !present : present && entry.version == expected)) {
        op.result = OpResult::kConflict;
      } else {
        entry.value = op.value;
        ++entry.version;
      }
      break;
    case OpKind::kDelete:
      if (!present) {
        op.result = OpResult::kNotFound;
      } else if (op.expected && entry.version != expected) {
        op.result = OpResult::kConflict;
      } else {
        entry.value.reset();
        ++entry.version;
      }
      break;
    case OpKind::kRead:
      if (present) {
        op.read_value = entry.value;
      } else {
        op.result = OpResult::kNotFound;
      }
      break;
  }
  op.version = entry.version;
}

// Valid histories: a sequential model of the store, with ops that overlap at random. Each op
// takes effect at an instant strictly between its invocation and its completion; some clients
// time out (the op may still take effect later, or never) or lose the answer.
class HistorySimulator {
 public:
  struct Config {
    int clients = 4;
    int keys = 2;
    int ops = 30;
    double unknown_rate = 0.1;
    int invoke_weight = 2;  // higher: clients start a new op sooner, more overlap
  };

  HistorySimulator(Config config, std::uint64_t seed) : config_(config), rng_(seed) {}

  History run() {
    History out;
    std::vector<bool> busy(static_cast<std::size_t>(config_.clients), false);
    int invoked = 0;
    std::uint64_t now = 0;
    while (invoked < config_.ops || !in_flight_.empty()) {
      ++now;
      std::vector<std::pair<Action, std::size_t>> choices;
      for (std::size_t c = 0; c < busy.size(); ++c) {
        if (!busy[c] && invoked < config_.ops) {
          for (int w = 0; w < config_.invoke_weight; ++w) choices.emplace_back(Action::kInvoke, c);
        }
      }
      for (std::size_t i = 0; i < in_flight_.size(); ++i) {
        choices.emplace_back(in_flight_[i].applied ? Action::kComplete : Action::kProgress, i);
      }
      const auto [action, index] = choices[rng_() % choices.size()];
      switch (action) {
        case Action::kInvoke:
          busy[index] = true;
          ++invoked;
          in_flight_.push_back({new_op(static_cast<int>(index), now), false, false});
          break;
        case Action::kProgress: {
          InFlight& flight = in_flight_[index];
          if (!flight.orphan && chance(config_.unknown_rate / 2)) {
            flight.orphan = true;  // the client times out; the op lives on
            busy[static_cast<std::size_t>(flight.op.client)] = false;
          } else if (flight.orphan && chance(0.5)) {
            finish(out, index, std::nullopt);  // never takes effect
          } else {
            apply(flight.op);
            flight.applied = true;
            if (flight.orphan) finish(out, index, std::nullopt);
          }
          break;
        }
        case Action::kComplete: {
          busy[static_cast<std::size_t>(in_flight_[index].op.client)] = false;
          finish(out, index, chance(config_.unknown_rate / 2) ? std::nullopt : std::optional{now});
          break;
        }
      }
    }
    std::shuffle(out.begin(), out.end(), rng_);  // the checker must not rely on the order
    return out;
  }

 private:
  enum class Action { kInvoke, kProgress, kComplete };
  struct InFlight {
    HistoryOp op;  // its result is filled in when applied
    bool applied;
    bool orphan;
  };
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::uint64_t below(std::uint64_t n) { return rng_() % n; }

  HistoryOp new_op(int client, std::uint64_t now) {
    HistoryOp op;
    op.client = client;
    op.key = "k" + std::to_string(below(static_cast<std::uint64_t>(config_.keys)));
    op.invoked = now;
    const std::uint64_t roll = below(100);
    op.kind = roll < 45 ? OpKind::kPut : roll < 60 ? OpKind::kDelete : OpKind::kRead;
    // Mostly fresh values; a few repeats so that values alone do not identify versions.
    op.value = chance(0.2) ? "v" + std::to_string(below(3)) : "u" + std::to_string(next_value_++);
    if (op.kind != OpKind::kRead && chance(0.3)) {
      const Entry& entry = model_[op.key];
      op.expected = chance(0.7) ? (entry.value ? entry.version : 0) : below(entry.version + 2);
    }
    return op;
  }

  void apply(HistoryOp& op) { apply_to_model(model_[op.key], op); }

  // Moves in_flight_[index] to the history, with its result if `completed` is known.
  void finish(History& out, std::size_t index, std::optional<std::uint64_t> completed) {
    HistoryOp op = std::move(in_flight_[index].op);
    in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(index));
    if (completed) {
      op.completed = *completed;
    } else {
      op.result = OpResult::kUnknown;
      op.read_value.reset();
      op.version = 0;
    }
    out.push_back(std::move(op));
  }

  Config config_;
  std::mt19937_64 rng_;
  std::map<std::string, Entry> model_;
  std::vector<InFlight> in_flight_;
  int next_value_ = 0;
};

bool known(const HistoryOp& op) {
  return op.result != OpResult::kUnknown;
}
bool ok_write(const HistoryOp& op) {
  return known(op) && op.kind != OpKind::kRead && op.result == OpResult::kOk;
}
bool answered_read(const HistoryOp& op) {
  return known(op) && op.kind == OpKind::kRead;
}

// Changes one result so that the history certainly has no linearization, or returns nullopt
// if this history offers no such change. Versions are bounded by the number of writes of the
// key (each takes effect at most once), and never decrease.
std::optional<History> certainly_invalid_mutation(History history, std::mt19937_64& rng,
                                                  std::string& what) {
  std::map<std::string, std::uint64_t> writes;
  for (const HistoryOp& op : history) {
    if (op.kind != OpKind::kRead) ++writes[op.key];
  }
  const auto unreachable = [&](const HistoryOp& op) { return writes[op.key] + 1 + rng() % 3; };
  const auto indices = [&](const std::function<bool(const HistoryOp&)>& pick) {
    std::vector<std::size_t> found;
    for (std::size_t i = 0; i < history.size(); ++i) {
      if (pick(history[i])) found.push_back(i);
    }
    return found;
  };
  const auto ok_reads =
      indices([](const HistoryOp& op) { return answered_read(op) && op.result == OpResult::kOk; });
  const auto reads = indices(answered_read);
  const auto writes_ok = indices(ok_write);
  const auto conflicts =
      indices([](const HistoryOp& op) { return known(op) && op.result == OpResult::kConflict; });
  std::vector<std::pair<std::size_t, std::size_t>> stale;  // (write, read after it)
  std::vector<std::pair<std::size_t, std::size_t>> same_key_writes;
  for (const std::size_t w : writes_ok) {
    for (const std::size_t r : reads) {
      if (history[r].key == history[w].key && history[w].completed < history[r].invoked) {
        stale.emplace_back(w, r);
      }
    }
    for (const std::size_t other : writes_ok) {
      if (other != w && history[other].key == history[w].key)
        same_key_writes.emplace_back(w, other);
    }
  }

  std::vector<std::function<void()>> mutations;
  const auto any = [&](const auto& list) { return list[rng() % list.size()]; };
  if (!ok_reads.empty()) {
    mutations.emplace_back([&] {
      HistoryOp& op = history[any(ok_reads)];
      op.version = unreachable(op);
      what = "read of a version never written: " + describe(op);
    });
    mutations.emplace_back([&] {
      HistoryOp& op = history[any(ok_reads)];
      op.read_value = "never-written";
      what = "read of a value never written: " + describe(op);
    });
  }
  if (!stale.empty()) {
    mutations.emplace_back([&] {
      const auto [w, r] = any(stale);
      history[r].version = history[w].version - 1;
      what = "stale read: " + describe(history[r]) + " after " + describe(history[w]);
    });
  }
  if (!same_key_writes.empty()) {
    mutations.emplace_back([&] {
      const auto [a, b] = any(same_key_writes);
      history[a].version = history[b].version;
      what = "same version twice: " + describe(history[a]) + " and " + describe(history[b]);
    });
  }
  if (!writes_ok.empty()) {
    mutations.emplace_back([&] {
      HistoryOp& op = history[any(writes_ok)];
      op.version = unreachable(op);
      what = "version skip: " + describe(op);
    });
  }
  if (!conflicts.empty()) {
    mutations.emplace_back([&] {
      HistoryOp& op = history[any(conflicts)];
      op.version = unreachable(op);
      what = "conflict at a version never written: " + describe(op);
    });
  }
  // (unknown put, read of its value) where no other put of the key writes that value.
  std::vector<std::pair<std::size_t, std::size_t>> observed_unknown;
  for (const std::size_t r : ok_reads) {
    std::vector<std::size_t> writers;
    for (std::size_t w = 0; w < history.size(); ++w) {
      if (history[w].kind == OpKind::kPut && history[w].key == history[r].key &&
          history[w].value == history[r].read_value) {
        writers.push_back(w);
      }
    }
    if (writers.size() == 1 && !known(history[writers[0]])) {
      observed_unknown.emplace_back(writers[0], r);
    }
  }
  if (!observed_unknown.empty()) {
    mutations.emplace_back([&] {
      const auto [w, r] = any(observed_unknown);
      history[w].invoked = history[r].completed + 1 + rng() % 3;
      what = "read before the put of its value: " + describe(history[r]) + " before " +
             describe(history[w]);
    });
  }
  if (mutations.empty()) return std::nullopt;
  any(mutations)();
  return history;
}

TEST_CASE("random valid histories pass and certainly invalid mutations of them fail") {
  constexpr int kHistories = 2000;
  int mutated = 0;
  std::size_t unknown_ops = 0;
  for (int seed = 0; seed < kHistories; ++seed) {
    HistorySimulator::Config config;
    config.keys = 1 + seed % 2;
    const History history = HistorySimulator(config, static_cast<std::uint64_t>(seed)).run();
    unknown_ops += static_cast<std::size_t>(
        std::count_if(history.begin(), history.end(), [](const auto& op) { return !known(op); }));

    std::mt19937_64 rng(static_cast<std::uint64_t>(seed) + 1'000'000);
    std::string what;
    const std::optional<History> invalid = certainly_invalid_mutation(history, rng, what);
    mutated += invalid ? 1 : 0;
    for (const auto& [name, checker] : kCheckers) {
      const CheckOutcome valid = checker(history, 2'000'000);
      INFO(name << ", seed " << seed << "\n" << valid.explanation);
      REQUIRE(valid.linearizable);
      REQUIRE_FALSE(valid.inconclusive);
      if (!invalid) continue;
      const CheckOutcome outcome = checker(*invalid, 2'000'000);
      INFO("mutation: " << what);
      REQUIRE_FALSE(outcome.linearizable);
      REQUIRE_FALSE(outcome.inconclusive);
      REQUIRE_FALSE(outcome.explanation.empty());
    }
  }
  CHECK(mutated > kHistories * 9 / 10);
  CHECK(unknown_ops > kHistories);  // the histories do exercise unknown results
}

// The definition itself, searched exhaustively without any of the checker's machinery: one
// order of all known ops and any of the unknown ones, over all keys at once, that respects
// real time and gives every known op its reported result.
bool reference_linearizable(const History& history, std::vector<bool>& placed,
                            const std::map<std::string, Entry>& state) {
  const auto pending_known = [&](std::size_t i) { return !placed[i] && known(history[i]); };
  bool done = true;
  for (std::size_t i = 0; i < history.size(); ++i) done = done && !pending_known(i);
  if (done) return true;
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (placed[i]) continue;
    bool preceded = false;  // by an op not placed yet
    for (std::size_t j = 0; j < history.size(); ++j) {
      preceded =
          preceded || (j != i && pending_known(j) && history[j].completed < history[i].invoked);
    }
    if (preceded) continue;
    std::map<std::string, Entry> next = state;
    HistoryOp actual = history[i];
    apply_to_model(next[actual.key], actual);
    const HistoryOp& reported = history[i];
    if (known(reported) &&
        (actual.result != reported.result || actual.version != reported.version ||
         (reported.kind == OpKind::kRead && reported.result == OpResult::kOk &&
          reported.read_value && actual.read_value != reported.read_value))) {
      continue;
    }
    placed[i] = true;
    if (reference_linearizable(history, placed, next)) return true;
    placed[i] = false;
  }
  return false;
}

bool reference_linearizable(const History& history) {
  std::vector<bool> placed(history.size(), false);
  return reference_linearizable(history, placed, {});
}

// Small histories near the boundary: simulated ones, most with one arbitrary change.
History small_history(std::mt19937_64& rng, std::uint64_t seed) {
  HistorySimulator::Config config;
  config.clients = 3;
  config.keys = 1 + static_cast<int>(seed % 4 == 0);
  config.ops = 3 + static_cast<int>(seed % 6);
  config.unknown_rate = 0.4;
  History history = HistorySimulator(config, seed).run();
  if (rng() % 4 == 0) return history;
  HistoryOp& op = history[rng() % history.size()];
  switch (rng() % 6) {
    case 0:
      op.version += 1;
      break;
    case 1:
      op.version = op.version > 0 ? op.version - 1 : 2;
      break;
    case 2:
      op.result = static_cast<OpResult>(rng() % 4);
      break;
    case 3:
      op.read_value = std::vector<std::string>{"v0", "v1", "u0", "u1"}[rng() % 4];
      break;
    case 4:
      op.invoked = op.invoked > 3 ? op.invoked - 3 : 0;
      break;
    case 5:
      op.completed = op.completed > 3 ? op.completed - 3 : 0;
      break;
  }
  // Malformed histories (completed before invoked) are a separate matter.
  if (op.completed < op.invoked) op.completed = op.invoked + rng() % 5;
  return history;
}

TEST_CASE("the checker agrees with an exhaustive search of the definition on small histories") {
  int agreed_valid = 0;
  int agreed_invalid = 0;
  std::mt19937_64 rng(7);
  for (std::uint64_t seed = 0; seed < 6000; ++seed) {
    const History history = small_history(rng, seed);
    const bool expected = reference_linearizable(history);
    std::string ops;
    for (const HistoryOp& op : history) ops += describe(op) + "\n";
    INFO("seed " << seed << ", reference says " << expected << ", ops:\n" << ops);
    for (const auto& [name, checker] : kCheckers) {
      const CheckOutcome outcome = checker(history, 2'000'000);
      INFO(name << ": " << outcome.explanation);
      REQUIRE_FALSE(outcome.inconclusive);
      REQUIRE(outcome.linearizable == expected);
    }
    ++(expected ? agreed_valid : agreed_invalid);
  }
  CHECK(agreed_valid > 1000);
  CHECK(agreed_invalid > 1000);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST_CASE("10 clients x 100 highly overlapping ops on one key check in well under a second") {
  HistorySimulator::Config config;
  config.clients = 10;
  config.keys = 1;
  config.ops = 1000;
  config.unknown_rate = 0.05;
  config.invoke_weight = 10;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const History history = HistorySimulator(config, seed).run();
    // Overlap: with how many other answered ops each answered op is concurrent, on average.
    std::size_t answered = 0;
    std::size_t overlaps = 0;
    for (const HistoryOp& a : history) {
      if (!known(a)) continue;
      ++answered;
      for (const HistoryOp& b : history) {
        overlaps += (&a != &b && known(b) && a.invoked <= b.completed && b.invoked <= a.completed);
      }
    }
    std::mt19937_64 rng(seed);
    std::string what;
    const std::optional<History> invalid = certainly_invalid_mutation(history, rng, what);
    REQUIRE(invalid);
    for (const auto& [name, checker] : kCheckers) {
      const auto start = std::chrono::steady_clock::now();
      const CheckOutcome outcome = checker(history, 2'000'000);
      const double elapsed = seconds_since(start);
      const auto failing_start = std::chrono::steady_clock::now();
      const CheckOutcome failing = checker(*invalid, 2'000'000);
      const double failing_elapsed = seconds_since(failing_start);
      WARN(name << ", seed " << seed << ": " << history.size() << " ops ("
                << history.size() - answered << " unknown), each concurrent with "
                << static_cast<double>(overlaps) / static_cast<double>(answered)
                << " others on average: passed in " << elapsed * 1000 << " ms ("
                << outcome.states_explored << " states); mutated (" << what << ") rejected in "
                << failing_elapsed * 1000 << " ms (" << failing.states_explored << " states)");
      INFO(outcome.explanation);
      CHECK(outcome.linearizable);
      CHECK_FALSE(outcome.inconclusive);
      CHECK(elapsed < 0.5);
      CHECK_FALSE(failing.linearizable);
      CHECK_FALSE(failing.inconclusive);
      CHECK(failing_elapsed < 0.5);
    }
  }
}

}  // namespace

// Catch2 assertions over a recorded client history.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <string_view>

#include "tests/support/linearizability.h"

namespace paxoskv::e2e {

// Runs the checker over everything `recorder` holds, prints what it did, and fails the
// test (with the checker's explanation) if the history is not linearizable.
inline void require_linearizable(const check::HistoryRecorder& recorder, std::string_view test) {
  const auto history = recorder.history();
  const auto started = std::chrono::steady_clock::now();
  const check::CheckOutcome outcome = check::check_history(history);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  std::cout << "[" << test << "] linearizability: " << history.size() << " ops, "
            << outcome.states_explored << " states explored in " << took.count() << " ms: "
            << (outcome.linearizable ? (outcome.inconclusive ? "inconclusive" : "linearizable")
                                     : "NOT linearizable")
            << std::endl;
  if (outcome.inconclusive) WARN("checker inconclusive: " << outcome.explanation);
  INFO(outcome.explanation);
  REQUIRE(outcome.linearizable);
}

}  // namespace paxoskv::e2e

// Teeth: each planted bug must be caught within the suite's normal number of seeds. Two
// need a rare sequence of faults and are shown by scripted scenarios instead
// (scenario_test.cc, "[teeth]"): leadership reloaded after a restart, and phase 2 without
// the proposer's own acceptor.
#include <catch2/catch.hpp>
#include <iostream>

#include "tests/consensus/seeds.h"
#include "tests/consensus/simulation.h"

namespace paxoskv::sim {

namespace {

// The first failing seed, or 0 if none of `count` seeds catches the bug.
std::uint64_t first_catching_seed(consensus::PlantedBug bug, std::uint64_t count) {
  for (std::uint64_t seed = 1; seed <= count; ++seed) {
    SimOptions options = options_for_seed(seed);
    options.planted_bug = bug;
    const SimResult result = run_simulation(options);
    if (!result.ok) {
      std::cerr << "planted bug caught: " << result.failure << "\n";
      return seed;
    }
  }
  return 0;
}

}  // namespace

TEST_CASE("planted bugs are caught", "[sim][teeth]") {
  using consensus::PlantedBug;
  const std::uint64_t budget = seeds_from_environment(2000);
  SECTION("acceptor ignores its promise") {
    CHECK(first_catching_seed(PlantedBug::kAcceptorIgnoresPromise, budget) != 0);
  }
  SECTION("proposer uses its own value instead of the highest accepted") {
    CHECK(first_catching_seed(PlantedBug::kProposerIgnoresAcceptedValue, budget) != 0);
  }
  SECTION("acceptor answers before its promise or acceptance is durable") {
    CHECK(first_catching_seed(PlantedBug::kAcceptorPersistsLate, budget) != 0);
  }
  SECTION("quorum read answers before an in-flight slot settles") {
    CHECK(first_catching_seed(PlantedBug::kReadSkipsRinse, budget) != 0);
  }
  SECTION("promises and acceptances are written but not synced") {
    CHECK(first_catching_seed(PlantedBug::kPromiseNotSynced, budget) != 0);
  }
  SECTION("a write taken back from a quiet leader is proposed although already chosen") {
    CHECK(first_catching_seed(PlantedBug::kTakenBackWriteIgnoresMarks, budget) != 0);
  }
  SECTION("a write taken back from a quiet leader is answered as failed at once") {
    CHECK(first_catching_seed(PlantedBug::kTakenBackFailureAnsweredAtOnce, budget) != 0);
  }
}

}  // namespace paxoskv::sim

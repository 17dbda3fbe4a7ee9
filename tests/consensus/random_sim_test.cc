// Randomized simulation runs: every seed must pass every check.
#include <catch2/catch.hpp>
#include <iostream>

#include "tests/consensus/seeds.h"
#include "tests/consensus/simulation.h"

namespace paxoskv::sim {

TEST_CASE("random simulation runs keep safety, agreement, linearizability and liveness", "[sim]") {
  const std::uint64_t first = first_seed_from_environment();
  const std::uint64_t count = seeds_from_environment(2000);
  std::uint64_t completed = 0, unknown = 0, ambiguous = 0, crashes = 0, inconclusive = 0,
                failures = 0;
  for (std::uint64_t seed = first; seed < first + count; ++seed) {
    const SimResult result = run_simulation(options_for_seed(seed));
    completed += result.ops_completed;
    unknown += result.ops_unknown;
    ambiguous += result.ops_ambiguous;
    crashes += result.crashes;
    inconclusive += result.inconclusive ? 1 : 0;
    if (!result.ok) {
      ++failures;
      // The seed replays the run: PAXOSKV_SIM_FIRST_SEED=<seed> PAXOSKV_SIM_SEEDS=1
      std::cerr << "FAILED " << result.failure << "\n";
    }
  }
  std::cerr << "simulation: " << count << " seeds from " << first << ", " << completed
            << " ops completed, " << unknown << " unknown, " << ambiguous << " ambiguous, "
            << crashes << " crashes, " << inconclusive << " inconclusive, " << failures
            << " failed\n";
  CHECK(failures == 0);
  // Ambiguous answers are allowed but must stay rare.
  CHECK(ambiguous * 200 < completed);
}

TEST_CASE("a quiet network loses nothing and answers everything", "[sim]") {
  SimOptions options;
  options.seed = 42;
  options.drop_rate = 0;
  options.duplicate_rate = 0;
  options.partitions = false;
  options.crashes = false;
  const SimResult result = run_simulation(options);
  INFO(result.failure);
  REQUIRE(result.ok);
  CHECK(result.ops_unknown == 0);
  CHECK(result.ops_completed ==
        static_cast<std::uint64_t>(options.clients * options.ops_per_client + options.keys * 3));
}

}  // namespace paxoskv::sim

// Randomized lease simulation runs (see lease_simulation.h): every seed must pass every
// check (the planted lease bugs are in planted_bug_test.cc).
#include <catch2/catch.hpp>
#include <iostream>

#include "tests/consensus/lease_simulation.h"
#include "tests/consensus/seeds.h"

namespace paxoskv::sim {

TEST_CASE("random lease simulation runs: no early expiry, no two lock holders, liveness",
          "[sim][lease]") {
  const std::uint64_t first = first_seed_from_environment();
  const std::uint64_t count = seeds_from_environment(2000) / 4 + 1;
  std::uint64_t leases = 0, expiries = 0, keepalives = 0, acquisitions = 0, crashes = 0,
                failures = 0;
  for (std::uint64_t seed = first; seed < first + count; ++seed) {
    const LeaseSimResult result = run_lease_simulation(lease_options_for_seed(seed));
    leases += result.leases;
    expiries += result.expiries;
    keepalives += result.keepalives_ok;
    acquisitions += result.acquisitions;
    crashes += result.crashes;
    if (!result.ok) {
      ++failures;
      std::cerr << "FAILED " << result.failure << "\n";
    }
  }
  std::cerr << "lease simulation: " << count << " seeds from " << first << ", " << leases
            << " leases, " << expiries << " expiries, " << keepalives << " keepalives ok, "
            << acquisitions << " lock acquisitions, " << crashes << " crashes, " << failures
            << " failed\n";
  CHECK(failures == 0);
  CHECK(expiries > 0);
  CHECK(acquisitions > 0);
}

}  // namespace paxoskv::sim

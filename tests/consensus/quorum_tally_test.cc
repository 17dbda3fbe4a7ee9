// The vote counting shared by phase 1, phase 2 and quorum reads, and the quorum rule of a
// configuration, joint or not.
#include "consensus/quorum_tally.h"

#include <catch2/catch.hpp>

namespace paxoskv::consensus {

TEST_CASE("a tally counts each voter once and is decided by a majority of distinct members") {
  QuorumTally tally(QuorumRule{{1, 2, 3}, {}});
  CHECK_FALSE(tally.reached());
  CHECK(tally.add(3));
  CHECK_FALSE(tally.add(3));  // a duplicated answer
  CHECK(tally.counted(3));
  CHECK_FALSE(tally.counted(1));
  CHECK_FALSE(tally.reached());
  CHECK(tally.add(1));
  CHECK(tally.reached());
}

TEST_CASE("answers of replicas outside the configuration do not count") {
  QuorumTally tally(QuorumRule{{1, 2, 3}, {}});
  tally.add(4);
  tally.add(5);
  tally.add(1);
  CHECK_FALSE(tally.reached());
}

TEST_CASE("while joint, a majority of the new members is not enough without one of the old") {
  // From {1,2,3} to {3,4,5}: {3,4,5} is a majority of the new ones only.
  QuorumTally tally(QuorumRule{{3, 4, 5}, {1, 2, 3}});
  tally.add(3);
  tally.add(4);
  tally.add(5);
  CHECK_FALSE(tally.reached());
  tally.add(1);
  CHECK(tally.reached());
}

TEST_CASE("no count reaches a tally of no round, nor one of no known configuration") {
  QuorumTally idle;
  CHECK_FALSE(idle.reached());
  idle.add(1);
  idle.add(2);
  CHECK_FALSE(idle.reached());
  QuorumTally unconfigured(QuorumRule{{}, {}});
  unconfigured.add(1);
  CHECK_FALSE(unconfigured.reached());
}

}  // namespace paxoskv::consensus

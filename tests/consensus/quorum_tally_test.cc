// The vote counting shared by phase 1, phase 2 and quorum reads.
#include <catch2/catch.hpp>

#include "consensus/quorum_tally.h"

namespace paxoskv::consensus {

TEST_CASE("a tally counts each voter once and is decided by a quorum of distinct ones") {
  QuorumTally tally(2);
  CHECK_FALSE(tally.reached());
  CHECK(tally.add(3));
  CHECK_FALSE(tally.add(3));  // a duplicated answer
  CHECK(tally.counted(3));
  CHECK_FALSE(tally.counted(1));
  CHECK_FALSE(tally.reached());
  CHECK(tally.add(1));
  CHECK(tally.reached());
}

TEST_CASE("no count reaches a tally of no round") {
  QuorumTally idle;
  CHECK_FALSE(idle.reached());
  idle.add(1);
  idle.add(2);
  CHECK_FALSE(idle.reached());
}

}  // namespace paxoskv::consensus

#include "tools/ctl/prefix_versions.h"

#include <catch2/catch.hpp>

namespace paxoskv::ctl {
namespace {

TEST_CASE("changes from one replica are all printed, once") {
  PrefixVersions versions;
  versions.record_listed("a", 3, true);
  CHECK(versions.take_change("a", 4, true));
  CHECK(versions.take_change("b", 1, true));
  CHECK_FALSE(versions.take_change("a", 4, true));  // a lagging replica repeating it
  CHECK_FALSE(versions.take_change("a", 2, true));
  CHECK(versions.take_change("a", 5, false));
}

TEST_CASE("a listed version from before the watch does not hide a change") {
  // --from-index replays changes older than the starting listing.
  PrefixVersions versions;
  versions.record_listed("a", 5, true);
  CHECK(versions.take_change("a", 4, true));
  CHECK(versions.take_change("a", 5, true));
}

TEST_CASE("catching up after a move prints only what is newer than known") {
  PrefixVersions versions;
  versions.record_listed("a", 3, true);
  versions.record_listed("b", 1, true);
  CHECK(versions.take_change("c", 2, true));

  CHECK_FALSE(versions.newer_than_known("a", 3));
  CHECK(versions.newer_than_known("a", 4));
  CHECK(versions.newer_than_known("new", 1));
  CHECK_FALSE(versions.take_caught_up("a", 3, true));
  CHECK(versions.take_caught_up("a", 4, true));
  CHECK_FALSE(versions.take_change("a", 4, true));  // then delivered by a poll
  CHECK(versions.take_caught_up("new", 1, true));

  CHECK(versions.present_keys_missing_from({"a", "new"}) == std::vector<std::string>{"b", "c"});
  CHECK(versions.take_caught_up("b", 2, false));        // deleted meanwhile
  CHECK_FALSE(versions.take_caught_up("c", 2, false));  // a lagging replica, no news
  CHECK(versions.present_keys_missing_from({"a", "new"}) == std::vector<std::string>{"c"});
}

}  // namespace
}  // namespace paxoskv::ctl

#include "src/membership/key_pages.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace paxoskv::membership {
namespace {

using Keys = std::vector<std::string>;

TEST_CASE("merged key pages hold every key of every page, once, in order", "[membership]") {
  const KeyListReply merged =
      merge_key_pages({{1, {"a", "c"}, false}, {1, {"b", "c", "d"}, false}}, 10);
  CHECK(merged.keys == Keys{"a", "b", "c", "d"});
  CHECK_FALSE(merged.more);
}

TEST_CASE("merged key pages stop where a page with more ends", "[membership]") {
  // The second replica holds keys after "b" that its page did not show: "c" may be one
  // of them only if the merged page stops at "b"; the next page starts after "b".
  const KeyListReply merged =
      merge_key_pages({{1, {"a", "c", "e"}, false}, {1, {"a", "b"}, true}}, 10);
  CHECK(merged.keys == Keys{"a", "b"});
  CHECK(merged.more);
}

TEST_CASE("merged key pages respect the limit", "[membership]") {
  const KeyListReply merged = merge_key_pages({{1, {"a", "b"}, false}, {1, {"c", "d"}, false}}, 3);
  CHECK(merged.keys == Keys{"a", "b", "c"});
  CHECK(merged.more);
  const KeyListReply empty = merge_key_pages({{1, {}, false}, {1, {}, false}}, 3);
  CHECK(empty.keys.empty());
  CHECK_FALSE(empty.more);
}

}  // namespace
}  // namespace paxoskv::membership

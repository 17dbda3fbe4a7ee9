#include "src/membership/key_pages.h"

#include <algorithm>
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

// Pages as replicas send them, from one sorted set each, read with the same `after` and
// limit; merged and asked again after the merged last key until done, they must give back
// every key any of the replicas holds.
Keys carry_all(const std::vector<Keys>& held, std::uint32_t page_limit, std::uint32_t limit) {
  Keys carried;
  std::string after;
  bool first = true;
  while (true) {
    std::vector<KeyListReply> pages;
    for (Keys keys : held) {
      std::sort(keys.begin(), keys.end());  // a replica's keys, in byte order
      KeyListReply page{1, {}, false};
      for (const std::string& key : keys) {
        if (!first && key <= after) continue;
        if (page.keys.size() == page_limit) {
          page.more = true;
          break;
        }
        page.keys.push_back(key);
      }
      pages.push_back(std::move(page));
    }
    const KeyListReply merged = merge_key_pages(pages, limit);
    carried.insert(carried.end(), merged.keys.begin(), merged.keys.end());
    if (!merged.more || merged.keys.empty()) return carried;
    after = merged.keys.back();
    first = false;
  }
}

TEST_CASE("merged key pages lose no key at any page boundary, in byte order", "[membership]") {
  const std::string reserved("\0config", 7);
  // Keys with bytes above 0x7f, keys that prefix each other, the reserved key, each held
  // by only some of the replicas.
  const std::vector<Keys> held{
      {reserved, "a", "a\x80", "a\xff\xff", "b"},
      {"a", "a\x7f", "a\xff", "ab", "\xff"},
      {reserved, "a\x7f", "a\x80", "a\xff", "a\xff\xff", "ab", "b", "\xff", "\xff\xff"},
  };
  // ("ab" < "a\x7f": 'b' is 0x62.)
  const Keys all{reserved, "a",         "ab", "a\x7f", "a\x80",
                 "a\xff",  "a\xff\xff", "b",  "\xff",  "\xff\xff"};
  for (std::uint32_t page_limit = 1; page_limit <= 10; ++page_limit) {
    for (std::uint32_t limit = 1; limit <= 10; ++limit) {
      CAPTURE(page_limit, limit);
      CHECK(carry_all(held, page_limit, limit) == all);
    }
  }
}

TEST_CASE("a page that has more but no keys keeps the merged page open", "[membership]") {
  // A page {{}, more} (a replica answering limit 0) says nothing of how far it got: taken
  // as complete, the merged page would say that no more keys follow although that replica
  // holds some, and the carry-over would end early. (The runner drops such a reply.)
  const KeyListReply merged = merge_key_pages({{1, {"a"}, false}, {1, {}, true}}, 10);
  CHECK(merged.keys.empty());
  CHECK(merged.more);
}

}  // namespace
}  // namespace paxoskv::membership

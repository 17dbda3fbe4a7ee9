#include "src/store_quota.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>

namespace paxoskv {
namespace {

using namespace std::chrono_literals;

TEST_CASE("store quota: exceeded only while the store is larger than the quota", "[quota]") {
  std::uint64_t size = 50;
  int looks = 0;
  StoreQuota quota(
      [&] {
        ++looks;
        return size;
      },
      100, 0ms);
  CHECK_FALSE(quota.exceeded());
  size = 100;  // at the quota is not over it
  CHECK_FALSE(quota.exceeded());
  size = 101;
  CHECK(quota.exceeded());
  size = 99;
  CHECK_FALSE(quota.exceeded());
  CHECK(looks == 4);
}

TEST_CASE("store quota: looks at the store at most once per interval", "[quota]") {
  std::uint64_t size = 500;
  int looks = 0;
  StoreQuota quota(
      [&] {
        ++looks;
        return size;
      },
      100, 1h);
  CHECK(quota.exceeded());
  size = 0;
  CHECK(quota.exceeded());  // the last look's answer
  CHECK(looks == 1);
}

TEST_CASE("store quota: 0 turns it off without looking", "[quota]") {
  int looks = 0;
  StoreQuota quota(
      [&] {
        ++looks;
        return std::uint64_t{1} << 40;
      },
      0, 0ms);
  CHECK_FALSE(quota.exceeded());
  CHECK(looks == 0);
}

}  // namespace
}  // namespace paxoskv

#include "src/store_quota.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <thread>

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
  CHECK(looks == 1);  // measured at once
  CHECK_FALSE(quota.exceeded());
  size = 100;  // at the quota is not over it
  quota.look();
  CHECK_FALSE(quota.exceeded());
  size = 101;
  CHECK_FALSE(quota.exceeded());  // not measured yet
  quota.look();
  CHECK(quota.exceeded());
  size = 99;
  quota.look();
  CHECK_FALSE(quota.exceeded());
  CHECK(looks == 4);
}

TEST_CASE("store quota: measured again every interval on a thread of its own", "[quota]") {
  std::atomic<std::uint64_t> size{50};
  std::atomic<int> looks{0};
  StoreQuota quota(
      [&] {
        ++looks;
        return size.load();
      },
      100, 5ms);
  CHECK_FALSE(quota.exceeded());
  size = 500;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!quota.exceeded() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  CHECK(quota.exceeded());
  CHECK(looks >= 2);
}

TEST_CASE("store quota: 0 turns it off without looking", "[quota]") {
  int looks = 0;
  StoreQuota quota(
      [&] {
        ++looks;
        return std::uint64_t{1} << 40;
      },
      0, 5ms);
  quota.look();
  CHECK_FALSE(quota.exceeded());
  CHECK(looks == 0);
}

}  // namespace
}  // namespace paxoskv

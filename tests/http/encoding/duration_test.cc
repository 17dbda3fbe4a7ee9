// The one duration syntax of the API and the command lines (http/encoding/duration.h).
#include "http/encoding/duration.h"

#include <catch2/catch.hpp>
#include <limits>

namespace paxoskv::http {
namespace {

using namespace std::chrono_literals;

TEST_CASE("durations: what the API accepted before stays accepted", "[http][duration]") {
  CHECK(parse_duration("500ms") == 500ms);
  CHECK(parse_duration("30s") == 30s);
  CHECK(parse_duration("30") == 30s);
  CHECK(parse_duration("2m") == 2min);
  CHECK(parse_duration("1h") == 1h);
  CHECK(parse_duration("0") == 0s);
  CHECK(parse_duration("0ms") == 0s);
}

TEST_CASE("durations: fractions, finer units and combinations", "[http][duration]") {
  CHECK(parse_duration("1.5s") == 1500ms);
  CHECK(parse_duration("1.5m") == 90s);
  CHECK(parse_duration("0.25") == 250ms);
  CHECK(parse_duration(".5s") == 500ms);
  CHECK(parse_duration("250us") == 250us);
  CHECK(parse_duration("7ns") == 7ns);
  CHECK(parse_duration("1h30m") == 90min);
  CHECK(parse_duration("1m30s") == 90s);
  CHECK(parse_duration("2h45m10s500ms") == 2h + 45min + 10s + 500ms);
  CHECK(parse_duration("1.000000000001s") == 1s);  // finer than a nanosecond: dropped
}

TEST_CASE("durations: malformed text is refused", "[http][duration]") {
  for (const char* bad :
       {"",    "s", "-1s",   "+1s",  "10 s", " 10s", "10s ", "10S", "10sec", "1d",    "ms",   "1.",
        "1.s", ".", "1..5s", "1m30", "30s1", "1e3",  "inf",  "nan", "0x10",  "1h-5m", "5s,1s"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad));
  }
}

TEST_CASE("durations: too large saturates instead of wrapping around", "[http][duration]") {
  const auto max = std::chrono::nanoseconds::max();
  CHECK(parse_duration("18446744073709551615h") == max);
  CHECK(parse_duration("99999999999999999999s") == max);
  CHECK(parse_duration("2562047h47m16.854775807s") == max);  // exactly the largest
  CHECK(parse_duration("2562047h47m16.854775808s") == max);
  CHECK(parse_duration("2562047h47m16.854775806s") == max - 1ns);
  CHECK(parse_duration("9223372036854775807ns") == max);
}

TEST_CASE("durations: in milliseconds, truncated", "[http][duration]") {
  CHECK(parse_duration_millis("1.5s") == 1500ms);
  CHECK(parse_duration_millis("1500us") == 1ms);
  CHECK(parse_duration_millis("1h") == 3'600'000ms);
  CHECK_FALSE(parse_duration_millis("5x"));
}

}  // namespace
}  // namespace paxoskv::http

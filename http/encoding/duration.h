// The one syntax of a duration, wherever paxoskv reads one: the HTTP API's parameters and
// bodies (timeout=30s, a lease's ttl), and the flags of paxoskv, paxoskvctl and
// paxoskv-bench (--request-timeout 5s, --timeout 1m, --duration 1.5m).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace paxoskv::http {

// How help texts and errors describe the syntax.
inline constexpr std::string_view kDurationSyntax =
    "a duration like 500ms, 30s, 2m, 1h, 1m30s or 1.5s; a bare number is seconds";

// One or more of NUMBER UNIT, the units ns, us, ms, s, m and h, NUMBER digits with an
// optional fraction ("1.5"); or a bare NUMBER of seconds ("30"). No sign, no spaces, units
// in lower case. Nullopt when malformed. A duration too large to represent saturates at
// nanoseconds::max() (about 292 years): callers cap or refuse it.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// parse_duration, truncated to whole milliseconds.
std::optional<std::chrono::milliseconds> parse_duration_millis(std::string_view text);

}  // namespace paxoskv::http

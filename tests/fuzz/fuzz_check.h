// What a fuzz target does when the code under test breaks a promise that no sanitizer
// sees (a decoded message that re-encodes differently, a request answered twice): print
// why and abort, so the fuzzer keeps the input as a crasher.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace paxoskv::fuzz {

[[noreturn]] inline void fail(const char* why) {
  std::fprintf(stderr, "fuzz check failed: %s\n", why);
  std::abort();
}

inline void check(bool holds, const char* why) {
  if (!holds) fail(why);
}

}  // namespace paxoskv::fuzz

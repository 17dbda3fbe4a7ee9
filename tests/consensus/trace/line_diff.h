// A line-by-line difference of two texts, for test failures that must read well.
#pragma once

#include <string>

namespace paxoskv::trace {

// Every line of `expected` and `actual`, in order: "  " before a line both have, "- "
// before one only `expected` has, "+ " before one only `actual` has (a longest common
// subsequence of lines is kept in common).
std::string line_diff(const std::string& expected, const std::string& actual);

}  // namespace paxoskv::trace

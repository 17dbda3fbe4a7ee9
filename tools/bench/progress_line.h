// The live progress line on stderr, once a second while a run goes: elapsed time,
// answers per second over the last second, errors. Shown only when stderr is a terminal,
// so logs and pipes get the summary alone.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace paxoskv::bench {

class ProgressLine {
 public:
  ProgressLine(std::string_view label, bool wanted);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void update(std::chrono::nanoseconds elapsed, std::uint64_t answered, std::uint64_t errors);
  // Erases the line so that the summary starts on a clean one.
  void clear();

 private:
  std::string_view label_;
  bool enabled_;
  bool shown_ = false;
  std::uint64_t last_answered_ = 0;
  std::chrono::nanoseconds last_elapsed_{0};
};

}  // namespace paxoskv::bench

#include "progress_line.h"

#include <unistd.h>

#include <cstdio>

namespace paxoskv::bench {

ProgressLine::ProgressLine(std::string_view label, bool wanted)
    : label_(label), enabled_(wanted && isatty(STDERR_FILENO) == 1) {}

ProgressLine::~ProgressLine() {
  clear();
}

void ProgressLine::update(std::chrono::nanoseconds elapsed, std::uint64_t answered,
                          std::uint64_t errors) {
  if (!enabled_) return;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  const double window = std::chrono::duration<double>(elapsed - last_elapsed_).count();
  const double rate = window > 0 ? static_cast<double>(answered - last_answered_) / window : 0;
  last_answered_ = answered;
  last_elapsed_ = elapsed;
  std::fprintf(stderr, "\r\033[K%.*s %6.1fs  %10.0f ops/s  %12llu answered  %8llu errors",
               static_cast<int>(label_.size()), label_.data(), seconds, rate,
               static_cast<unsigned long long>(answered), static_cast<unsigned long long>(errors));
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::clear() {
  if (!shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace paxoskv::bench

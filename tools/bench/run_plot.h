// `paxoskv-bench --plot`: one SVG with a section per measured run, each with two charts,
// throughput over time and the latency percentile curve in HdrHistogram's style (x: the
// percentile on a log scale of 1/(1-p), from 0 to 99.999 %).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "histogram.h"
#include "timeline.h"

namespace paxoskv::bench {

// One point of the percentile curve: nines = log10(1/(1-p)) (0 for p = 0, 2 for 99 %).
struct LatencyPoint {
  double nines = 0;
  std::uint64_t nanos = 0;
};

struct PlotSection {
  std::string title;     // what ran, against what (report.h: describe_run)
  std::string subtitle;  // what it measured, in one line
  std::vector<RatePoint> throughput;
  std::vector<LatencyPoint> latency;
};

// The curve from p = 0 to 99.999 %, or to 1 - 1/count when fewer values were recorded
// (past it the histogram holds nothing new), where it rises to the maximum; empty when
// nothing was recorded.
std::vector<LatencyPoint> percentile_curve(const Histogram& histogram);

// The whole document.
std::string run_plot_svg(const std::vector<PlotSection>& sections);

// The axis ticks of [0, top] for data up to `max`: 0, step, 2 step, ... up to the first
// multiple of step (1, 2 or 5 times a power of ten) at or above max; about 5 of them.
std::vector<double> axis_ticks(double max);

}  // namespace paxoskv::bench

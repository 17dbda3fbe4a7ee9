#include "run_plot.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string_view>

#include "svg.h"

namespace paxoskv::bench {
namespace {

// The page: a section per run, its title over two charts side by side.
constexpr double kWidth = 960;
constexpr double kSectionHeight = 330;
constexpr double kChartTop = 70;      // from the section's top
constexpr double kChartHeight = 200;  // the plot area
constexpr double kChartWidth = 370;
constexpr double kLeftChartX = 80;
constexpr double kRightChartX = 560;
constexpr double kMaxNines = 5;  // 99.999 %

constexpr const char* kAxisColor = "#333333";
constexpr const char* kGridColor = "#dddddd";
constexpr const char* kThroughputColor = "#1f77b4";
constexpr const char* kLatencyColor = "#d62728";

// 0, 0.5, 1,500, 60,000: as many decimals as the step needs, thousands separated.
std::string format_tick(double value, double step) {
  char text[32];
  if (step >= 1 || value == 0) {
    std::snprintf(text, sizeof text, "%.0f", value);
    const std::string_view digits = text;
    std::string grouped;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
      grouped += digits[i];
    }
    return grouped;
  } else {
    const int decimals = static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
  }
  return text;
}

struct Chart {
  double x;  // the plot area's top left
  double y;
  double x_top;  // the data at the right and top edges
  double y_top;

  double px(double value) const { return x + kChartWidth * value / x_top; }
  double py(double value) const { return y + kChartHeight * (1 - value / y_top); }
};

// The frame, a grid line and a label per y tick, and the axis titles.
void draw_frame(SvgDocument& svg, const Chart& chart, const std::vector<double>& y_ticks,
                std::string_view x_title, std::string_view y_title) {
  const double step = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : 1;
  for (const double tick : y_ticks) {
    const double y = chart.py(tick);
    if (tick != 0) svg.line(chart.x, y, chart.x + kChartWidth, y, kGridColor);
    svg.text(chart.x - 6, y + 4, format_tick(tick, step), Anchor::end, 10);
  }
  svg.rect(chart.x, chart.y, kChartWidth, kChartHeight, "none", kAxisColor);
  svg.text(chart.x + kChartWidth / 2, chart.y + kChartHeight + 34, x_title, Anchor::middle, 11);
  svg.text(chart.x - 52, chart.y + kChartHeight / 2, y_title, Anchor::middle, 11, false, -90);
}

void draw_throughput(SvgDocument& svg, double top, const std::vector<RatePoint>& rates) {
  double span = 0;
  double highest = 0;
  for (const RatePoint& point : rates) {
    span = std::max(span, point.end_s);
    highest = std::max(highest, point.ops_per_s);
  }
  const std::vector<double> x_ticks = axis_ticks(span);
  const std::vector<double> y_ticks = axis_ticks(highest);
  const Chart chart{kLeftChartX, top + kChartTop, x_ticks.back(), y_ticks.back()};
  draw_frame(svg, chart, y_ticks, "seconds into the measured run", "operations/s");
  const double x_step = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 1;
  for (const double tick : x_ticks) {
    const double x = chart.px(tick);
    svg.line(x, chart.y + kChartHeight, x, chart.y + kChartHeight + 4, kAxisColor);
    svg.text(x, chart.y + kChartHeight + 16, format_tick(tick, x_step), Anchor::middle, 10);
  }
  if (rates.empty()) {
    svg.text(chart.x + kChartWidth / 2, chart.y + kChartHeight / 2, "no operations",
             Anchor::middle);
    return;
  }
  // A step per interval: its rate held from its start to its end.
  std::vector<std::pair<double, double>> points;
  double begin = 0;
  for (const RatePoint& point : rates) {
    points.emplace_back(chart.px(begin), chart.py(point.ops_per_s));
    points.emplace_back(chart.px(point.end_s), chart.py(point.ops_per_s));
    begin = point.end_s;
  }
  svg.polyline(points, kThroughputColor, "throughput");
}

const char* const kNinesLabels[] = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};

void draw_latency(SvgDocument& svg, double top, const std::vector<LatencyPoint>& curve) {
  std::uint64_t highest = 0;
  for (const LatencyPoint& point : curve) highest = std::max(highest, point.nanos);
  // Microseconds below a millisecond, else milliseconds.
  const bool in_ms = highest >= 1'000'000;
  const double unit = in_ms ? 1e6 : 1e3;
  const std::vector<double> y_ticks = axis_ticks(static_cast<double>(highest) / unit);
  const Chart chart{kRightChartX, top + kChartTop, kMaxNines, y_ticks.back()};
  draw_frame(svg, chart, y_ticks, "percentile", in_ms ? "latency (ms)" : "latency (us)");
  for (int nines = 0; nines <= static_cast<int>(kMaxNines); ++nines) {
    const double x = chart.px(nines);
    if (nines != 0 && nines != static_cast<int>(kMaxNines)) {
      svg.line(x, chart.y, x, chart.y + kChartHeight, kGridColor);
    }
    svg.text(x, chart.y + kChartHeight + 16, kNinesLabels[nines], Anchor::middle, 10);
  }
  if (curve.empty()) {
    svg.text(chart.x + kChartWidth / 2, chart.y + kChartHeight / 2, "no operations",
             Anchor::middle);
    return;
  }
  std::vector<std::pair<double, double>> points;
  for (const LatencyPoint& point : curve) {
    points.emplace_back(chart.px(point.nines), chart.py(static_cast<double>(point.nanos) / unit));
  }
  svg.polyline(points, kLatencyColor, "latency");
}

}  // namespace

std::vector<double> axis_ticks(double max) {
  if (!(max > 0) || !std::isfinite(max)) return {0, 1};
  const double rough = max / 5;
  const double power = std::pow(10, std::floor(std::log10(rough)));
  double step = power * 10;
  for (const double multiple : {1.0, 2.0, 5.0}) {
    if (power * multiple >= rough) {
      step = power * multiple;
      break;
    }
  }
  std::vector<double> ticks;
  for (int i = 0;; ++i) {
    const double tick = step * i;
    ticks.push_back(tick);
    if (tick >= max * (1 - 1e-12)) break;
  }
  return ticks;
}

std::vector<LatencyPoint> percentile_curve(const Histogram& histogram) {
  std::vector<LatencyPoint> curve;
  if (histogram.count() == 0) return curve;
  const double last = std::min(kMaxNines, std::log10(static_cast<double>(histogram.count())));
  constexpr int kStepsPerNine = 20;
  for (int step = 0;; ++step) {
    const double nines = std::min(last, static_cast<double>(step) / kStepsPerNine);
    const double quantile = 1 - std::pow(10, -nines);
    curve.push_back({nines, histogram.percentile(quantile)});
    if (nines >= last) break;
  }
  // The slowest 1/count: the curve ends at the maximum.
  const std::uint64_t highest = histogram.percentile(1.0);
  if (highest > curve.back().nanos) curve.push_back({last, highest});
  return curve;
}

std::string run_plot_svg(const std::vector<PlotSection>& sections) {
  const double height =
      kSectionHeight * static_cast<double>(std::max<std::size_t>(1, sections.size()));
  std::string title;
  for (const PlotSection& section : sections) {
    title += (title.empty() ? "" : "; ") + section.title;
  }
  SvgDocument svg(kWidth, height, title);
  svg.rect(0, 0, kWidth, height, "white");
  double top = 0;
  for (const PlotSection& section : sections) {
    svg.text(20, top + 26, section.title, Anchor::start, 14, true);
    svg.text(20, top + 46, section.subtitle, Anchor::start, 12);
    svg.text(kLeftChartX + kChartWidth / 2, top + kChartTop - 8, "throughput over time",
             Anchor::middle, 12, true);
    svg.text(kRightChartX + kChartWidth / 2, top + kChartTop - 8, "latency by percentile",
             Anchor::middle, 12, true);
    draw_throughput(svg, top, section.throughput);
    draw_latency(svg, top, section.latency);
    top += kSectionHeight;
  }
  return svg.finish();
}

}  // namespace paxoskv::bench

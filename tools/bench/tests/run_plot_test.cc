// paxoskv-bench --plot: the SVG writer, the run plot's layout and the per-interval counts.
#include "tools/bench/run_plot.h"

#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "tools/bench/histogram.h"
#include "tools/bench/svg.h"
#include "tools/bench/timeline.h"

namespace paxoskv::bench {
namespace {

using namespace std::chrono_literals;

// A small XML well-formedness check: tags nest and close, attribute values are quoted,
// and no '<' or a bare '&' sits in text or in an attribute. Returns "" or what is wrong.
std::string xml_problem(const std::string& document) {
  std::vector<std::string> open;
  std::size_t at = 0;
  const auto entity_ok = [&](std::size_t amp) {
    for (const char* entity : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
      if (document.compare(amp, std::string(entity).size(), entity) == 0) return true;
    }
    return false;
  };
  while (at < document.size()) {
    const char c = document[at];
    if (c == '&') {
      if (!entity_ok(at)) return "bare & at " + std::to_string(at);
      ++at;
      continue;
    }
    if (c != '<') {
      if (c == '>') return "bare > at " + std::to_string(at);
      ++at;
      continue;
    }
    if (document.compare(at, 5, "<?xml") == 0) {
      const std::size_t end = document.find("?>", at);
      if (end == std::string::npos) return "unclosed declaration";
      at = end + 2;
      continue;
    }
    const bool closing = document[at + 1] == '/';
    std::size_t i = at + (closing ? 2 : 1);
    std::string name;
    while (i < document.size() && (std::isalnum(static_cast<unsigned char>(document[i])) != 0 ||
                                   document[i] == '-' || document[i] == ':')) {
      name += document[i++];
    }
    if (name.empty()) return "a tag without a name at " + std::to_string(at);
    // Attributes: name="value", with no '<' and only entities after '&' inside.
    while (i < document.size() && document[i] != '>' && document[i] != '/') {
      if (document[i] == '"') {
        const std::size_t end = document.find('"', i + 1);
        if (end == std::string::npos) return "unclosed attribute";
        for (std::size_t j = i + 1; j < end; ++j) {
          if (document[j] == '<') return "< in an attribute at " + std::to_string(j);
          if (document[j] == '&' && !entity_ok(j)) return "bare & in an attribute";
        }
        i = end + 1;
        continue;
      }
      if (document[i] == '<') return "< inside a tag at " + std::to_string(i);
      ++i;
    }
    if (i >= document.size()) return "unclosed tag " + name;
    const bool self_closing = document[i] == '/';
    if (self_closing && document[i + 1] != '>') return "stray / in " + name;
    at = i + (self_closing ? 2 : 1);
    if (closing) {
      if (open.empty() || open.back() != name) return "</" + name + "> closes nothing open";
      open.pop_back();
    } else if (!self_closing) {
      open.push_back(name);
    }
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  return "";
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++count;
  }
  return count;
}

// The points="..." of the polyline of class `css_class`.
std::string polyline_points(const std::string& svg, const std::string& css_class) {
  const std::size_t line = svg.find("<polyline class=\"" + css_class + "\"");
  if (line == std::string::npos) return "(none)";
  const std::size_t begin = svg.find("points=\"", line) + 8;
  return svg.substr(begin, svg.find('"', begin) - begin);
}

PlotSection known_section() {
  PlotSection section;
  section.title = "put on paxoskv: 16 connections";
  section.subtitle = "300 ops";
  section.throughput = {{1.0, 100.0}, {2.0, 200.0}};
  section.latency = {{0.0, 1'000'000}, {2.0, 3'000'000}, {5.0, 4'000'000}};
  return section;
}

TEST_CASE("svg: text is escaped for XML", "[bench][plot]") {
  CHECK(xml_escape("a<b&c\"d'e>f") == "a&lt;b&amp;c&quot;d&apos;e&gt;f");
  CHECK(xml_escape(std::string("x\x01y", 3)) == "x?y");
  CHECK(xml_escape("plain") == "plain");
  CHECK(svg_number(-0.01) == "0.0");
  CHECK(svg_number(12.345) == "12.3");
}

TEST_CASE("run plot: well-formed, self-contained, the title escaped", "[bench][plot]") {
  PlotSection section = known_section();
  section.title = "put on <paxoskv> & \"friends\"";
  section.subtitle = "p99 < 5ms & more";
  const std::string svg = run_plot_svg({section});
  CHECK(xml_problem(svg).empty());
  INFO(xml_problem(svg));
  CHECK(svg.find("<paxoskv>") == std::string::npos);
  CHECK(svg.find("put on &lt;paxoskv&gt; &amp; &quot;friends&quot;") != std::string::npos);
  CHECK(svg.find("p99 &lt; 5ms &amp; more") != std::string::npos);
  // Nothing to run and nothing to fetch.
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("href") == std::string::npos);
  CHECK(svg.find("@import") == std::string::npos);
  CHECK(svg.find("url(") == std::string::npos);
  CHECK(count_of(svg, "<svg ") == 1);
  CHECK(count_of(svg, "<polyline ") == 2);
}

TEST_CASE("run plot: a known input gives the expected points", "[bench][plot]") {
  const std::string svg = run_plot_svg({known_section()});
  // Throughput: x 0..2 s over 80..450, y 0..200 ops/s over 270..70, a step per interval.
  CHECK(polyline_points(svg, "throughput") == "80.0,170.0 265.0,170.0 265.0,70.0 450.0,70.0");
  // Latency: x 0..5 nines over 560..930, y 0..4 ms over 270..70.
  CHECK(polyline_points(svg, "latency") == "560.0,220.0 708.0,120.0 930.0,70.0");
}

TEST_CASE("run plot: the axes' ticks and labels", "[bench][plot]") {
  CHECK(axis_ticks(4.2) == std::vector<double>{0, 1, 2, 3, 4, 5});
  CHECK(axis_ticks(12'000) == std::vector<double>{0, 5'000, 10'000, 15'000});
  CHECK(axis_ticks(200) == std::vector<double>{0, 50, 100, 150, 200});
  CHECK(axis_ticks(0) == std::vector<double>{0, 1});
  const std::vector<double> small = axis_ticks(2);
  CHECK(small.size() == 5);
  CHECK(small.back() == Approx(2));

  const std::string svg = run_plot_svg({known_section()});
  for (const char* label :
       {">0%<", ">90%<", ">99%<", ">99.9%<", ">99.99%<", ">99.999%<", ">latency (ms)<",
        ">operations/s<", ">seconds into the measured run<", ">150<", ">200<", ">0.5<", ">1.5<"}) {
    INFO(label);
    CHECK(svg.find(label) != std::string::npos);
  }
  PlotSection busy = known_section();
  busy.throughput = {{1.0, 58'000.0}};
  CHECK(run_plot_svg({busy}).find(">60,000<") != std::string::npos);
  // Below a millisecond, microseconds.
  PlotSection fast = known_section();
  fast.latency = {{0.0, 200'000}, {1.0, 400'000}};
  CHECK(run_plot_svg({fast}).find(">latency (us)<") != std::string::npos);
}

TEST_CASE("run plot: a section per run, and an empty run said so", "[bench][plot]") {
  PlotSection empty;
  empty.title = "lock-handoff on paxoskv";
  const std::string svg = run_plot_svg({known_section(), known_section(), empty});
  CHECK(xml_problem(svg).empty());
  CHECK(svg.find("height=\"990.0\"") != std::string::npos);
  CHECK(count_of(svg, "<polyline class=\"throughput\"") == 2);
  CHECK(count_of(svg, ">no operations<") == 2);
  CHECK(count_of(svg, ">throughput over time<") == 3);
}

TEST_CASE("run plot: the percentile curve", "[bench][plot]") {
  CHECK(percentile_curve(Histogram()).empty());
  Histogram hundred;
  for (std::uint64_t i = 1; i <= 100; ++i) hundred.record(i * 1000);
  const std::vector<LatencyPoint> curve = percentile_curve(hundred);
  // 100 values resolve up to 99 %: two nines, 20 steps a nine, then up to the maximum.
  REQUIRE(curve.size() == 42);
  CHECK(curve.front().nines == 0);
  CHECK(curve.front().nanos == hundred.percentile(0));
  CHECK(curve[40].nines == Approx(2));
  CHECK(curve[40].nanos == hundred.percentile(0.99));
  CHECK(curve.back().nines == Approx(2));
  CHECK(curve.back().nanos == hundred.percentile(1.0));
  CHECK(curve.back().nanos > curve[40].nanos);
  for (std::size_t i = 1; i < curve.size(); ++i) CHECK(curve[i].nanos >= curve[i - 1].nanos);

  Histogram many;
  for (std::uint64_t i = 0; i < 200'000; ++i) many.record(1000 + i % 1000);
  CHECK(percentile_curve(many).back().nines == Approx(5));  // stops at 99.999 %
}

TEST_CASE("timeline: operations per interval, as rates", "[bench][plot]") {
  Timeline timeline;
  timeline.record(50ms);
  timeline.record(150ms);
  timeline.record(199ms);
  timeline.record(-5ms);  // counted in the first interval
  Timeline other;
  other.record(260ms);
  other.record(400ms);  // past the span: in the last interval
  timeline.merge(other);
  CHECK(timeline.counts() == std::vector<std::uint64_t>{2, 2, 1, 0, 1});

  const std::vector<RatePoint> points = rates(timeline, 250ms);
  REQUIRE(points.size() == 3);
  CHECK(points[0].end_s == Approx(0.1));
  CHECK(points[0].ops_per_s == Approx(20));
  CHECK(points[1].ops_per_s == Approx(20));
  CHECK(points[2].end_s == Approx(0.25));
  CHECK(points[2].ops_per_s == Approx(2 / 0.05));  // a 50 ms interval, 2 ops

  CHECK(rates(Timeline(), 1s).empty());
  CHECK(rates(timeline, 0s).empty());
}

TEST_CASE("timeline: long runs are drawn in wider intervals", "[bench][plot]") {
  Timeline timeline;
  for (int ms = 0; ms < 100'000; ms += 10) timeline.record(std::chrono::milliseconds(ms));
  const std::vector<RatePoint> points = rates(timeline, 100s);  // 1,000 intervals of 100 ms
  REQUIRE(points.size() == 200);                                // 200 of 500 ms
  CHECK(points[0].end_s == Approx(0.5));
  for (const RatePoint& point : points) CHECK(point.ops_per_s == Approx(100));
  CHECK(rates(timeline, 100s, 50).size() == 50);  // 2 s each
}

}  // namespace
}  // namespace paxoskv::bench

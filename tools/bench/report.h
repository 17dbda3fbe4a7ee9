// The run's summary: human-readable text, one JSON object with the same fields, or a
// section of the --plot SVG.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>

#include "load_run.h"
#include "options.h"
#include "run_plot.h"

namespace paxoskv::bench {

// What ran, against what, in one line: the summary's first line and the plot's title.
std::string describe_run(const Options& options);
nlohmann::json summary_json(const Options& options, const RunResult& result);
void print_summary(std::ostream& out, const Options& options, const RunResult& result);
PlotSection plot_section(const Options& options, const RunResult& result);

}  // namespace paxoskv::bench

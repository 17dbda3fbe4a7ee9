// The run's summary: human-readable text, or one JSON object with the same fields.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>

#include "load_run.h"
#include "options.h"

namespace paxoskv::bench {

nlohmann::json summary_json(const Options& options, const RunResult& result);
void print_summary(std::ostream& out, const Options& options, const RunResult& result);

}  // namespace paxoskv::bench

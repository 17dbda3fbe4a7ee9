// Runs every scenario file in testdata/ (see scenario_file.h, scenario_runner.h) and
// compares what each command prints with the trace the file expects; a difference fails
// with a line diff.
//
// After a change of behaviour that is meant, rewrite the expected traces with
//   PAXOSKV_REWRITE_TRACES=1 build/tests/consensus/trace/trace_tests
// and read the change in `git diff`.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/consensus/trace/line_diff.h"
#include "tests/consensus/trace/scenario_file.h"
#include "tests/consensus/trace/scenario_runner.h"

namespace paxoskv::trace {

namespace {

std::vector<std::filesystem::path> scenario_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(PAXOSKV_TRACE_TESTDATA)) {
    if (entry.is_regular_file() && entry.path().extension() == ".txt") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool rewrite_requested() {
  const char* rewrite = std::getenv("PAXOSKV_REWRITE_TRACES");
  return rewrite != nullptr && std::string(rewrite) == "1";
}

}  // namespace

TEST_CASE("every scenario prints the trace its file expects") {
  const std::vector<std::filesystem::path> files = scenario_files();
  REQUIRE(files.size() >= 6);
  for (const std::filesystem::path& path : files) {
    const std::string name = path.filename().string();
    const ScenarioFile file = parse_scenario(read_file(path));
    ScenarioRunner runner;
    std::vector<std::string> traces;
    std::string differences;
    bool runnable = true;
    for (const ScenarioStep& step : file.steps) {
      std::string trace;
      try {
        trace = runner.run(step.command);
      } catch (const ScenarioError& error) {
        FAIL_CHECK(name << ":" << step.line << ": " << step.command << "\n  " << error.what());
        runnable = false;
        break;
      }
      if (trace != step.expected) {
        differences += name + ":" + std::to_string(step.line) + ": " + step.command + "\n" +
                       line_diff(step.expected, trace);
      }
      traces.push_back(std::move(trace));
    }
    if (!runnable) continue;  // nothing to rewrite from
    if (rewrite_requested()) {
      std::ofstream(path, std::ios::binary | std::ios::trunc) << render_scenario(file, traces);
      if (!differences.empty()) WARN("rewrote " << path.string());
    } else if (!differences.empty()) {
      FAIL_CHECK(
          "the trace differs from the expected one (- expected, + actual; "
          "PAXOSKV_REWRITE_TRACES=1 rewrites it):\n"
          << differences);
    }
  }
}

}  // namespace paxoskv::trace

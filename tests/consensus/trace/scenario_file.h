// A scenario file: commands, each followed by the trace it is expected to print.
//
//   # comment lines and blank lines before a command are kept as they are
//   submit node=1 req=1 key=a put=x
//   ----
//   1 Ready #1 sync
//     persist k=a promised=1.1 promised_life=1
//   <blank line, or the end of the file>
//
// A trace has no blank lines (the blank line ends it); an empty trace is no lines.
#pragma once

#include <string>
#include <vector>

namespace paxoskv::trace {

struct ScenarioStep {
  std::vector<std::string> preamble;  // the comment and blank lines before the command
  int line = 0;                       // the command's, from 1
  std::string command;
  std::string expected;  // the trace lines, each ended by '\n'
};

struct ScenarioFile {
  std::vector<ScenarioStep> steps;
  std::vector<std::string> trailer;  // comment and blank lines after the last step
};

// Throws std::invalid_argument, naming the line, on a command without its "----" line.
ScenarioFile parse_scenario(const std::string& text);
// The file's text, each step's expected trace replaced by `traces` (one per step).
std::string render_scenario(const ScenarioFile& file, const std::vector<std::string>& traces);

}  // namespace paxoskv::trace

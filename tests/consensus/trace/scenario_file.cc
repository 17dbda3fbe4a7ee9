#include "tests/consensus/trace/scenario_file.h"

#include <sstream>
#include <stdexcept>
#include <utility>

namespace paxoskv::trace {

namespace {

constexpr const char* kSeparator = "----";

bool is_comment_or_blank(const std::string& line) {
  return line.empty() || line[0] == '#';
}

}  // namespace

ScenarioFile parse_scenario(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);

  ScenarioFile file;
  std::vector<std::string> pending;  // comments and blanks not yet given to a step
  for (std::size_t i = 0; i < lines.size();) {
    if (is_comment_or_blank(lines[i])) {
      pending.push_back(lines[i++]);
      continue;
    }
    ScenarioStep step;
    step.preamble = std::exchange(pending, {});
    step.line = static_cast<int>(i) + 1;
    step.command = lines[i++];
    if (i == lines.size() || lines[i] != kSeparator) {
      throw std::invalid_argument("line " + std::to_string(step.line) + ": command \"" +
                                  step.command + "\" is not followed by a \"----\" line");
    }
    for (++i; i < lines.size() && !lines[i].empty(); ++i) step.expected += lines[i] + "\n";
    if (i < lines.size()) ++i;  // the blank line that ends the trace
    file.steps.push_back(std::move(step));
  }
  file.trailer = std::move(pending);
  return file;
}

std::string render_scenario(const ScenarioFile& file, const std::vector<std::string>& traces) {
  std::string text;
  for (std::size_t i = 0; i < file.steps.size(); ++i) {
    const ScenarioStep& step = file.steps[i];
    for (const std::string& line : step.preamble) text += line + "\n";
    text += step.command + "\n" + kSeparator + "\n";
    text += i < traces.size() ? traces[i] : step.expected;
    // The blank line that ends a trace; the file's last trace ends with the file.
    if (i + 1 < file.steps.size() || !file.trailer.empty()) text += "\n";
  }
  for (const std::string& line : file.trailer) text += line + "\n";
  return text;
}

}  // namespace paxoskv::trace

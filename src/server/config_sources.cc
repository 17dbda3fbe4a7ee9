#include "src/server/config_sources.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace paxoskv {

namespace {

std::string lower_case(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// A key the file's reader puts under a table: "table.key" (or the table alone for the
// markers that open and close it).
std::string dotted_name(const CLI::ConfigItem& item) {
  std::string name;
  for (const std::string& parent : item.parents) {
    if (!name.empty()) name += '.';
    name += parent;
  }
  if (item.name != "++" && item.name != "--") name += "." + item.name;
  return name;
}

}  // namespace

std::optional<std::string> process_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string environment_name(std::string_view flag) {
  std::string name = "PAXOSKV_";
  for (const char c : flag) {
    name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

std::map<std::string, std::string> read_config_file(const std::string& path,
                                                    const std::set<std::string>& known_keys) {
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_file(path);
  } catch (const CLI::FileError&) {
    throw std::invalid_argument("--config-file: cannot read " + path);
  }
  std::map<std::string, std::string> values;
  for (const CLI::ConfigItem& item : items) {
    const auto bad = [&](const std::string& key, const std::string& why) {
      return std::invalid_argument("--config-file " + path + ": " + why + " '" + key + "'");
    };
    if (!item.parents.empty()) {
      throw bad(dotted_name(item), "tables and dotted keys are not flags: unknown key");
    }
    if (!known_keys.contains(item.name)) throw bad(item.name, "unknown key");
    if (item.inputs.size() != 1) throw bad(item.name, "expected one value (not an array) for");
    // The reader ends a line at the first '#', quoted or not: a value cut short there
    // keeps its opening quote.
    if (const std::string& value = item.inputs.front();
        !value.empty() && (value.front() == '"' || value.front() == '\'')) {
      throw bad(item.name, "unterminated string (a # starts a comment even in quotes) for");
    }
    if (!values.emplace(item.name, item.inputs.front()).second) {
      throw bad(item.name, "key given twice:");
    }
  }
  return values;
}

std::optional<bool> parse_switch_value(std::string_view text) {
  const std::string value = lower_case(text);
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  return std::nullopt;
}

}  // namespace paxoskv

// Where a paxoskv flag's value can come from besides the command line: the environment
// (PAXOSKV_REQUEST_TIMEOUT for --request-timeout) and a TOML --config-file
// (request-timeout = "5s"). The command line wins over the environment, the environment
// over the file.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace paxoskv {

// The value of an environment variable, nullopt when unset.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process's environment.
std::optional<std::string> process_environment(const std::string& name);

// "request-timeout" -> "PAXOSKV_REQUEST_TIMEOUT".
std::string environment_name(std::string_view flag);

// The keys and values of the TOML file at `path`: `name = value` lines, the value a string
// ("..." or '...'), a number or a boolean; comments start with #. Throws
// std::invalid_argument naming the file and the key on an unreadable file, a key not in
// `known_keys` (a typo must not go unnoticed), a table or dotted key, an array, or a key
// given twice.
std::map<std::string, std::string> read_config_file(const std::string& path,
                                                    const std::set<std::string>& known_keys);

// A boolean flag's value from the environment or a file: true, false, 1, 0, yes, no, on,
// off (any case); nullopt for anything else.
std::optional<bool> parse_switch_value(std::string_view text);

}  // namespace paxoskv

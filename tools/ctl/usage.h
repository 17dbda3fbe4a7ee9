// paxoskvctl's help texts.
#pragma once

#include <string_view>

#include "tools/ctl/arguments.h"

namespace paxoskv::ctl {

// `paxoskvctl --help`.
std::string_view general_help();

// `paxoskvctl COMMAND --help`.
std::string_view command_help(Command command);

}  // namespace paxoskv::ctl

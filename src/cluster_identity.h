// What identifies a cluster: its name and its members' ids (not their addresses, so a
// cluster can move to other machines).
#pragma once

#include <string>

#include "paxoskv/options.h"

namespace paxoskv {

std::string cluster_fingerprint(const Options& options);

}  // namespace paxoskv

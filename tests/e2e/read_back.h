// Reading acknowledged writes back after a test broke the cluster.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/support/linearizability.h"

namespace paxoskv::e2e {

// Reads every acknowledged fresh key back (linearizable, recorded), spread over `ports`.
// The keys whose value is not the acknowledged one, each with the answer it got.
std::vector<std::string> lost_writes(const std::map<std::string, std::string>& acknowledged,
                                     const std::vector<std::uint16_t>& ports,
                                     check::HistoryRecorder& recorder);

// The lines, each ended by a newline: for messages that list many.
std::string join_lines(const std::vector<std::string>& lines);

}  // namespace paxoskv::e2e

// The nemeses: schedules of faults, each dealt through a FaultInjector until a deadline. A
// fault started before the deadline runs its whole length.
#pragma once

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/nemesis/fault_injector.h"

namespace paxoskv::nemesis {

struct NemesisInfo {
  std::string name;
  std::string summary;
};

// Every nemesis, in the order "all" runs them.
const std::vector<NemesisInfo>& all_nemeses();
bool is_nemesis(std::string_view name);

// Deals nemesis `name`'s faults until `until`, then heals what it broke (heal_all() is the
// caller's). Throws std::invalid_argument for an unknown name.
void run_nemesis(std::string_view name, FaultInjector& faults, std::mt19937& random,
                 Clock::time_point until);

// The planted fault "wipe-data-dir": writes go on while a minority is cut off; then one
// replica of the majority loses its disk and, cut off from everyone, starts anew on an
// empty data dir; then it and the old minority form a majority without the acknowledged
// writes. No replica can tell, so the runner must report violations.
void run_wipe_data_dir(FaultInjector& faults);

// The planted fault "wipe-all": every replica loses its disk at once and the cluster starts
// anew, empty. Every acknowledged write is lost.
void run_wipe_all(FaultInjector& faults);

}  // namespace paxoskv::nemesis

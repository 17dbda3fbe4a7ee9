// How many random seeds a simulation test runs: PAXOSKV_SIM_SEEDS, or a default.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

namespace paxoskv::sim {

inline std::uint64_t seeds_from_environment(std::uint64_t fallback) {
  const char* text = std::getenv("PAXOSKV_SIM_SEEDS");
  if (text == nullptr || *text == '\0') return fallback;
  return std::strtoull(text, nullptr, 10);
}

inline std::uint64_t first_seed_from_environment() {
  const char* text = std::getenv("PAXOSKV_SIM_FIRST_SEED");
  if (text == nullptr || *text == '\0') return 1;
  return std::strtoull(text, nullptr, 10);
}

}  // namespace paxoskv::sim

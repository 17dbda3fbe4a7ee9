#include "tools/ctl/prefix_versions.h"

#include <algorithm>

namespace paxoskv::ctl {

void PrefixVersions::learn(KeyState& state, std::uint64_t version, bool present) {
  if (version < state.known) return;
  state.known = version;
  state.present = present;
}

void PrefixVersions::record_listed(const std::string& key, std::uint64_t version, bool present) {
  learn(keys_[key], version, present);
}

bool PrefixVersions::take_change(const std::string& key, std::uint64_t version, bool present) {
  KeyState& state = keys_[key];
  if (version <= state.printed) return false;
  state.printed = version;
  learn(state, version, present);
  return true;
}

bool PrefixVersions::take_caught_up(const std::string& key, std::uint64_t version, bool present) {
  KeyState& state = keys_[key];
  if (version <= state.known || version <= state.printed) return false;
  state.printed = version;
  learn(state, version, present);
  return true;
}

bool PrefixVersions::newer_than_known(const std::string& key, std::uint64_t version) const {
  const auto found = keys_.find(key);
  return found == keys_.end() || version > std::max(found->second.known, found->second.printed);
}

std::vector<std::string> PrefixVersions::present_keys_missing_from(
    const std::set<std::string>& listed) const {
  std::vector<std::string> missing;
  for (const auto& [key, state] : keys_) {
    if (state.present && !listed.contains(key)) missing.push_back(key);
  }
  return missing;
}

}  // namespace paxoskv::ctl

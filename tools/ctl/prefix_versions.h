// What a prefix watch knows of each key under its prefix, so that moving to another
// replica neither loses the changes made meanwhile nor prints one twice.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace paxoskv::ctl {

class PrefixVersions {
 public:
  // A key's state in the listing a watch starts from: known, not printed.
  void record_listed(const std::string& key, std::uint64_t version, bool present);

  // A change a long poll delivered: whether to print it (not if this watch printed that
  // version or a later one, as a replica that lags behind the last one would repeat it).
  bool take_change(const std::string& key, std::uint64_t version, bool present);

  // Whether a listed version is newer than anything known of the key.
  bool newer_than_known(const std::string& key, std::uint64_t version) const;

  // A key's state in the listing after a move to another replica: whether it is newer
  // than anything known of the key, and so a change the watch missed.
  bool take_caught_up(const std::string& key, std::uint64_t version, bool present);

  // The keys last known present that `listed` does not hold: deleted meanwhile, or not
  // yet applied by a lagging replica.
  std::vector<std::string> present_keys_missing_from(const std::set<std::string>& listed) const;

 private:
  struct KeyState {
    std::uint64_t known = 0;    // the newest version seen anywhere
    bool present = false;       // at version `known`
    std::uint64_t printed = 0;  // the newest version printed
  };

  void learn(KeyState& state, std::uint64_t version, bool present);

  std::map<std::string, KeyState> keys_;
};

}  // namespace paxoskv::ctl

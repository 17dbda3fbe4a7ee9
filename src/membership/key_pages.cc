#include "src/membership/key_pages.h"

#include <optional>
#include <set>
#include <string>

namespace paxoskv::membership {

KeyListReply merge_key_pages(const std::vector<KeyListReply>& pages, std::uint32_t limit) {
  // A page that has more covers the keys up to its last one only: past the smallest such
  // last key, another page's keys may miss some of its replica's.
  std::optional<std::string> bound;
  for (const KeyListReply& page : pages) {
    // More, and no key to say how far: nothing past the asked position is known.
    if (page.more && page.keys.empty()) return KeyListReply{0, {}, true};
    if (page.more && !page.keys.empty() && (!bound || page.keys.back() < *bound)) {
      bound = page.keys.back();
    }
  }
  std::set<std::string> keys;
  for (const KeyListReply& page : pages) {
    for (const std::string& key : page.keys) {
      if (!bound || key <= *bound) keys.insert(key);
    }
  }
  KeyListReply merged;
  merged.more = bound.has_value();
  for (const std::string& key : keys) {
    if (merged.keys.size() == limit) {
      merged.more = true;
      break;
    }
    merged.keys.push_back(key);
  }
  return merged;
}

}  // namespace paxoskv::membership

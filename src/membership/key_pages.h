// Merging the pages of held keys that several replicas sent for one key list request.
#pragma once

#include <cstdint>
#include <vector>

#include "src/membership/key_list_messages.h"

namespace paxoskv::membership {

// The keys of `pages` (each in key order, after the same position), merged: in order,
// each once, up to the point where every page that has more is known to be complete, at
// most `limit`. `more`: keys may follow the last one. A key any page holds is in the
// result, or after its last key. A page with more but no key makes the result empty, with
// more: it cannot be used (see ChangeRunner::on_reply).
KeyListReply merge_key_pages(const std::vector<KeyListReply>& pages, std::uint32_t limit);

}  // namespace paxoskv::membership

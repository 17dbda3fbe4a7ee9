// Pages through a prefix listing (GET /v1/kv?prefix=P&limit=L&after=K).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "tools/ctl/client.h"
#include "tools/ctl/output.h"

namespace paxoskv::ctl {

struct Listing {
  std::uint64_t index = 0;   // the first page's X-Paxoskv-Index
  std::size_t endpoint = 0;  // the endpoint that answered the first page
  bool one_endpoint = true;  // every page came from that endpoint
};

// Calls `on_item` with each item (as the API sent it, and decoded) under `prefix` in key
// order, up to `limit` items, and tells where the listing came from. Pages after the first
// go to the same endpoint while it answers.
Listing list_prefix(Client& client, const std::string& prefix, std::optional<std::uint64_t> limit,
                    const std::function<void(const Json&, const Entry&)>& on_item);

}  // namespace paxoskv::ctl

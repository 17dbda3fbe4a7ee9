// Paging through a prefix listing (GET /v1/kv?prefix=...): each page starts after the last
// key of the one before, until a page says there is no more.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace paxoskv::http::client {

struct ListingPages {
  std::string prefix;
  std::uint64_t page_size = 1000;
  std::optional<std::uint64_t> limit;  // at most this many items in all
};

// Calls `fetch` with each page's request target; it answers with the page's JSON body, or
// nullopt to give up (then this returns false). Calls `visit` with each item, in key
// order. Returns true once the listing is complete (or `limit` items were visited).
// Throws MalformedAnswer for an item without a key (see bytes_field).
bool list_pages(const ListingPages& pages,
                const std::function<std::optional<nlohmann::json>(const std::string&)>& fetch,
                const std::function<void(const nlohmann::json& item)>& visit);

}  // namespace paxoskv::http::client

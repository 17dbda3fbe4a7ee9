#include "http/client/listing.h"

#include <algorithm>

#include "http/client/answers.h"
#include "http/client/targets.h"

namespace paxoskv::http::client {

bool list_pages(const ListingPages& pages,
                const std::function<std::optional<nlohmann::json>(const std::string&)>& fetch,
                const std::function<void(const nlohmann::json& item)>& visit) {
  std::optional<std::string> after;
  std::uint64_t listed = 0;
  while (true) {
    const std::uint64_t wanted =
        pages.limit ? std::min(pages.page_size, *pages.limit - listed) : pages.page_size;
    QueryParameters query = {{"prefix", pages.prefix}, {"limit", std::to_string(wanted)}};
    if (after) query.emplace_back("after", *after);
    const std::optional<nlohmann::json> body = fetch(collection_target(query));
    if (!body || !body->is_object()) return false;
    const auto items = body->find("items");
    if (items == body->end() || !items->is_array()) return false;
    for (const nlohmann::json& item : *items) {
      visit(item);
      std::optional<std::string> key = bytes_field(item, "key");
      if (!key) throw MalformedAnswer("a listed item without a key");
      after = std::move(key);
      ++listed;
    }
    if (!body->value("more", false) || items->empty()) return true;
    if (pages.limit && listed >= *pages.limit) return true;
  }
}

}  // namespace paxoskv::http::client

#include "tools/ctl/listing.h"

#include <algorithm>

#include "http/client/targets.h"
#include "tools/ctl/answer_check.h"
#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {

using http::client::collection_target;
using http::client::QueryParameters;

namespace {

// Items a page asks for: the server's default page size.
constexpr std::uint64_t page_size = 1000;

}  // namespace

Listing list_prefix(Client& client, const std::string& prefix, std::optional<std::uint64_t> limit,
                    const std::function<void(const Json&, const Entry&)>& on_item) {
  Listing listing;
  std::optional<std::string> after;
  std::uint64_t listed = 0;
  for (bool first = true;; first = false) {
    const std::uint64_t wanted = limit ? std::min(page_size, *limit - listed) : page_size;
    QueryParameters query = {{"prefix", prefix}, {"limit", std::to_string(wanted)}};
    if (after) query.emplace_back("after", *after);
    Request request;
    request.target = collection_target(query);
    const Answer answer = client.send(request);
    check_answer(answer, prefix, false, client.endpoint(answer.endpoint).text());
    if (first) {
      if (!answer.index) {
        throw CtlError(ExitCode::other, client.endpoint(answer.endpoint).text() +
                                            ": listing without an X-Paxoskv-Index header");
      }
      listing.index = *answer.index;
      listing.endpoint = answer.endpoint;
    } else if (answer.endpoint != listing.endpoint) {
      listing.one_endpoint = false;
    }
    const Json body = json_body(answer);
    const Json items = body.value("items", Json::array());
    for (const Json& item : items) {
      const Entry entry = entry_from_json(item);
      on_item(item, entry);
      after = entry.key;
      ++listed;
    }
    const bool more = body.value("more", false);
    if (!more || items.empty() || (limit && listed >= *limit)) return listing;
  }
}

}  // namespace paxoskv::ctl

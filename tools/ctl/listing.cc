#include "tools/ctl/listing.h"

#include "http/client/listing.h"
#include "tools/ctl/answer_check.h"
#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {

namespace {

// Items a page asks for: the server's default page size.
constexpr std::uint64_t page_size = 1000;

}  // namespace

Listing list_prefix(Client& client, const std::string& prefix, std::optional<std::uint64_t> limit,
                    const std::function<void(const Json&, const Entry&)>& on_item) {
  Listing listing;
  bool first = true;
  const auto fetch = [&](const std::string& target) -> std::optional<Json> {
    Request request;
    request.target = target;
    const Answer answer = client.send(request);
    check_answer(answer, prefix, false, client.endpoint(answer.endpoint).text());
    if (first) {
      if (!answer.index) {
        throw CtlError(ExitCode::other, client.endpoint(answer.endpoint).text() +
                                            ": listing without an X-Paxoskv-Index header");
      }
      listing.index = *answer.index;
      listing.endpoint = answer.endpoint;
      first = false;
    } else if (answer.endpoint != listing.endpoint) {
      listing.one_endpoint = false;
    }
    Json body = json_body(answer);
    if (!body.is_object()) throw CtlError(ExitCode::other, "malformed answer: not an object");
    if (!body.contains("items")) body["items"] = Json::array();
    if (!body["items"].is_array()) throw CtlError(ExitCode::other, "malformed answer: bad items");
    return body;
  };
  http::client::list_pages({prefix, page_size, limit}, fetch,
                           [&](const Json& item) { on_item(item, entry_from_json(item)); });
  return listing;
}

}  // namespace paxoskv::ctl

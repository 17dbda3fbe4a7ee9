#include "http/member_request.h"

#include <spdlog/fmt/fmt.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "http/query_params.h"
#include "http/request_error.h"

namespace paxoskv::http {

using boost::beast::http::status;

namespace {

constexpr std::uint64_t max_member_id = std::numeric_limits<std::uint32_t>::max();

RequestError bad_body(std::string_view why) {
  return RequestError(status::bad_request,
                      fmt::format("bad member: {}; expected {{\"id\": N, \"peer_address\": "
                                  "\"HOST:PORT\"}}",
                                  why));
}

}  // namespace

std::uint32_t member_id_from_path(std::string_view id_text) {
  const auto id = parse_decimal_u64(id_text);
  if (!id || *id == 0 || *id > max_member_id) {
    throw RequestError(status::bad_request,
                       "bad member id: expected a number from 1 to 4294967295");
  }
  return static_cast<std::uint32_t>(*id);
}

MemberToAdd member_to_add(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded()) throw bad_body("the body is not JSON");
  if (!json.is_object()) throw bad_body("the body is not a JSON object");
  for (const auto& [name, value] : json.items()) {
    if (name != "id" && name != "peer_address")
      throw bad_body(fmt::format("unknown field '{}'", name));
  }
  const auto id = json.find("id");
  if (id == json.end()) throw bad_body("no id");
  if (!id->is_number_integer() || *id < 1 || *id > max_member_id) {
    throw bad_body("id is not a number from 1 to 4294967295");
  }
  const auto address = json.find("peer_address");
  if (address == json.end()) throw bad_body("no peer_address");
  if (!address->is_string() || address->get_ref<const std::string&>().empty()) {
    throw bad_body("peer_address is not a non-empty string");
  }
  return MemberToAdd{static_cast<std::uint32_t>(id->get<std::uint64_t>()),
                     address->get<std::string>()};
}

}  // namespace paxoskv::http

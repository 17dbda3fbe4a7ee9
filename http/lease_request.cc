#include "http/lease_request.h"

#include <spdlog/fmt/fmt.h>

#include <nlohmann/json.hpp>

#include "http/encoding/duration.h"
#include "http/query_params.h"
#include "http/request_error.h"
#include "paxoskv/lease.h"

namespace paxoskv::http {

using boost::beast::http::status;

namespace {

RequestError bad_body(std::string_view why) {
  return RequestError(status::bad_request,
                      fmt::format("bad lease: {}; expected {{\"ttl\": \"10s\"}}", why));
}

}  // namespace

std::chrono::milliseconds lease_ttl_to_grant(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded()) throw bad_body("the body is not JSON");
  if (!json.is_object()) throw bad_body("the body is not a JSON object");
  for (const auto& [name, value] : json.items()) {
    if (name != "ttl") throw bad_body(fmt::format("unknown field '{}'", name));
  }
  const auto field = json.find("ttl");
  if (field == json.end()) throw bad_body("no ttl");
  if (!field->is_string()) throw bad_body("ttl is not a string");
  const auto ttl = parse_duration_millis(field->get<std::string>());
  if (!ttl) throw bad_body("ttl is not a duration");
  if (*ttl < kMinLeaseTtl || *ttl > kMaxLeaseTtl) {
    throw RequestError(status::bad_request, "bad lease: ttl must be from 1s to 1h");
  }
  return *ttl;
}

LeaseTarget lease_target_from_path(std::string_view rest) {
  constexpr std::string_view keepalive = "/keepalive";
  LeaseTarget target;
  if (rest.ends_with(keepalive)) {
    target.keepalive = true;
    rest.remove_suffix(keepalive.size());
  }
  if (rest.empty() || rest.find('/') != std::string_view::npos) {
    throw RequestError(status::not_found, "no such endpoint");
  }
  target.id = std::string(rest);
  return target;
}

std::string format_duration(std::chrono::milliseconds duration) {
  const auto ms = static_cast<std::uint64_t>(duration.count() < 0 ? 0 : duration.count());
  std::string text = std::to_string(ms / 1000);
  if (const std::uint64_t fraction = ms % 1000; fraction != 0) {
    std::string digits = fmt::format("{:03}", fraction);
    while (digits.ends_with('0')) digits.pop_back();
    text += "." + digits;
  }
  return text + "s";
}

}  // namespace paxoskv::http

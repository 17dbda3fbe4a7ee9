#include "http/token_request.h"

#include <spdlog/fmt/fmt.h>

#include <nlohmann/json.hpp>

#include "http/request_error.h"
#include "src/auth/token_record.h"

namespace paxoskv::http {

using boost::beast::http::status;

namespace {

RequestError bad_body(std::string_view why) {
  return RequestError(status::bad_request,
                      fmt::format("bad token: {}; expected {{\"name\": NAME, \"role\": "
                                  "\"read\"|\"readwrite\"|\"admin\", \"prefix\": PREFIX}}",
                                  why));
}

std::string string_field(const nlohmann::json& json, const char* name, bool required) {
  const auto field = json.find(name);
  if (field == json.end()) {
    if (required) throw bad_body(fmt::format("no {}", name));
    return {};
  }
  if (!field->is_string()) throw bad_body(fmt::format("{} is not a string", name));
  return field->get<std::string>();
}

}  // namespace

TokenToCreate token_to_create(std::string_view body, std::size_t max_key_bytes) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded()) throw bad_body("the body is not JSON");
  if (!json.is_object()) throw bad_body("the body is not a JSON object");
  for (const auto& [name, value] : json.items()) {
    if (name != "name" && name != "role" && name != "prefix") {
      throw bad_body(fmt::format("unknown field '{}'", name));
    }
  }
  TokenToCreate token;
  token.name = string_field(json, "name", true);
  const std::string role = string_field(json, "role", true);
  const auto parsed = role_named(role);
  if (!parsed) throw bad_body("role is not read, readwrite or admin");
  token.role = *parsed;
  token.prefix = string_field(json, "prefix", false);
  if (auto problem =
          auth::token_request_problem(token.name, token.role, token.prefix, max_key_bytes)) {
    throw RequestError(status::bad_request, *problem);
  }
  return token;
}

std::string token_name_from_path(std::string_view name) {
  if (auto problem = auth::token_name_problem(name)) {
    throw RequestError(status::bad_request, *problem);
  }
  return std::string(name);
}

}  // namespace paxoskv::http

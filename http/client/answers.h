// Reading the API's answers: its number headers and the fields that carry bytes.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "http/client/connection.h"

namespace paxoskv::http::client {

// An answer that does not have the shape the API promises.
class MalformedAnswer : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A header's value as an unsigned decimal number (X-Paxoskv-Index, X-Paxoskv-Version);
// nullopt when it is absent or not such a number.
std::optional<std::uint64_t> number_header(const Response& response, std::string_view name);

// The bytes of field `name` of an object the API rendered: "name" as text, or
// "name_base64" decoded (bytes that are not UTF-8); nullopt when neither is there.
// Throws MalformedAnswer ("bad name", "bad name_base64") when one is there but is not a
// string, or not base64.
std::optional<std::string> bytes_field(const nlohmann::json& object, std::string_view name);

}  // namespace paxoskv::http::client

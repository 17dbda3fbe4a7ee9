#include "http/client/answers.h"

#include <charconv>

#include "http/encoding/base64.h"

namespace paxoskv::http::client {

std::optional<std::uint64_t> number_header(const Response& response, std::string_view name) {
  const auto found = response.find(name);
  if (found == response.end()) return std::nullopt;
  const std::string_view text = found->value();
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::string> bytes_field(const nlohmann::json& object, std::string_view name) {
  const std::string text_name(name);
  if (const auto text = object.find(text_name); text != object.end()) {
    if (!text->is_string()) throw MalformedAnswer("bad " + text_name);
    return text->get<std::string>();
  }
  const std::string encoded_name = text_name + "_base64";
  if (const auto encoded = object.find(encoded_name); encoded != object.end()) {
    std::optional<std::string> bytes;
    if (encoded->is_string()) bytes = base64_decode(encoded->get<std::string>());
    if (!bytes) throw MalformedAnswer("bad " + encoded_name);
    return bytes;
  }
  return std::nullopt;
}

}  // namespace paxoskv::http::client

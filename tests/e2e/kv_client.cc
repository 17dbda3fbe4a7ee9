#include "tests/e2e/kv_client.h"

#include <array>

namespace paxoskv::e2e {

namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int base64_digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string percent_encode(std::string_view bytes, bool keep_slash) {
  static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
  std::string encoded;
  for (const char byte : bytes) {
    const auto c = static_cast<unsigned char>(byte);
    if (unreserved(c) || (keep_slash && c == '/')) {
      encoded += byte;
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 0xF];
    }
  }
  return encoded;
}

std::string key_target(std::string_view key, std::string_view query) {
  std::string target = "/v1/kv/" + percent_encode(key, true);
  if (!query.empty()) {
    target += '?';
    target += query;
  }
  return target;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string bytes;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::uint32_t group = 0;
    int padding = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        ++padding;
        group <<= 6;
        continue;
      }
      const int digit = base64_digit(c);
      if (digit < 0 || padding > 0) return std::nullopt;
      group = (group << 6) | static_cast<std::uint32_t>(digit);
    }
    bytes += static_cast<char>((group >> 16) & 0xFF);
    if (padding < 2) bytes += static_cast<char>((group >> 8) & 0xFF);
    if (padding < 1) bytes += static_cast<char>(group & 0xFF);
  }
  return bytes;
}

bool KvReply::expected_status() const {
  if (status == 0 || status == 503) return true;
  if (status == 507) return result == check::OpResult::kFailed;
  // A well-formed 200, 404 or 409 carries what the checker needs.
  return (status == 200 || status == 404 || status == 409) && result != check::OpResult::kUnknown;
}

std::string KvReply::describe() const {
  if (status == 0) return "no answer (" + problem + ")";
  std::string text = "status " + std::to_string(status);
  if (!body.is_null()) text += " " + body.dump();
  if (!problem.empty()) text += " [" + problem + "]";
  return text;
}

KvClient::KvClient(std::uint16_t port, std::chrono::milliseconds timeout) : http_(port, timeout) {}

KvClient::KvClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : http_(std::move(host), port, timeout) {}

KvReply KvClient::put(std::string_view key, std::string_view value,
                      std::optional<std::uint64_t> expected_version) {
  const std::string query = expected_version ? "cas=" + std::to_string(*expected_version) : "";
  return interpret(http_.put(key_target(key, query), std::string(value)), false);
}

KvReply KvClient::remove(std::string_view key, std::optional<std::uint64_t> expected_version) {
  const std::string query = expected_version ? "cas=" + std::to_string(*expected_version) : "";
  return interpret(http_.remove(key_target(key, query)), false);
}

KvReply KvClient::get(std::string_view key, bool local) {
  return interpret(http_.get(key_target(key, local ? "consistency=local" : "")), true);
}

KvReply KvClient::interpret(const std::optional<HttpResponse>& response, bool is_read) const {
  KvReply reply;
  if (!response) {
    reply.problem = http_.last_error();
    return reply;
  }
  reply.status = response->status;
  reply.body = nlohmann::json::parse(response->body, nullptr, false);
  if (reply.body.is_discarded()) {
    reply.body = nullptr;
    reply.problem = "body is not JSON";
    return reply;  // kUnknown: nothing can be concluded from it
  }
  if (reply.body.contains("error") && reply.body["error"].is_string()) {
    reply.problem = reply.body["error"].get<std::string>();
  }
  const bool has_version = reply.body.contains("version") && reply.body["version"].is_number();
  if (has_version) reply.version = reply.body["version"].get<std::uint64_t>();
  using check::OpResult;
  switch (reply.status) {
    case 200:
      if (!has_version) break;
      if (is_read) {
        if (reply.body.contains("value")) {
          reply.value = reply.body["value"].get<std::string>();
        } else if (reply.body.contains("value_base64")) {
          reply.value = base64_decode(reply.body["value_base64"].get<std::string>());
        }
        if (!reply.value) break;
      }
      reply.result = OpResult::kOk;
      break;
    case 404:
      if (has_version) reply.result = OpResult::kNotFound;
      break;
    case 409:
      if (has_version && !is_read) reply.result = OpResult::kConflict;
      break;
    case 507:
      // No space: the replica answers so only for a write it did not apply.
      if (!is_read) reply.result = OpResult::kFailed;
      break;
    default:
      break;  // 503 and anything unexpected: the outcome is unknown
  }
  return reply;
}

}  // namespace paxoskv::e2e

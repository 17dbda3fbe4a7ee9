#include "tests/e2e/kv_client.h"

#include "http/client/answers.h"
#include "http/client/targets.h"

namespace paxoskv::e2e {

using http::client::cas_query;
using http::client::key_target;
using http::client::QueryParameters;

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
  return interpret(http_.put(key_target(key, cas_query(expected_version)), std::string(value)),
                   false);
}

KvReply KvClient::remove(std::string_view key, std::optional<std::uint64_t> expected_version) {
  return interpret(http_.remove(key_target(key, cas_query(expected_version))), false);
}

KvReply KvClient::get(std::string_view key, bool local) {
  QueryParameters query;
  if (local) query.emplace_back("consistency", "local");
  return interpret(http_.get(key_target(key, query)), true);
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
        try {
          reply.value = http::client::bytes_field(reply.body, "value");
        } catch (const http::client::MalformedAnswer& error) {
          reply.problem = error.what();
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

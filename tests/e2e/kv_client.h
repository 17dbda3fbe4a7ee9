// The key-value API of one replica as typed operations, with their outcomes in the terms of
// the linearizability checker.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "tests/e2e/http_client.h"
#include "tests/support/linearizability.h"

namespace paxoskv::e2e {

struct KvReply {
  int status = 0;  // 0: no answer at all
  check::OpResult result = check::OpResult::kUnknown;
  std::uint64_t version = 0;
  std::optional<std::string> value;  // the value of a read that found the key
  nlohmann::json body;               // null when the body was not JSON (or there was none)
  std::string problem;               // why there was no answer, or the error text

  // Whether this is an answer the API gives for this operation under faults: a well-formed
  // 200, 404 or 409, a 503, a write's 507 (no space: not applied), or no answer. Anything else
  // (400, 500, a 200 without a version) is a bug when the request was well-formed.
  bool expected_status() const;
  std::string describe() const;
};

class KvClient {
 public:
  explicit KvClient(std::uint16_t port,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));
  KvClient(std::string host, std::uint16_t port,
           std::chrono::milliseconds timeout = std::chrono::seconds(5));

  KvReply put(std::string_view key, std::string_view value,
              std::optional<std::uint64_t> expected_version = std::nullopt);
  KvReply remove(std::string_view key,
                 std::optional<std::uint64_t> expected_version = std::nullopt);
  // A linearizable read, or this replica's applied state when `local`.
  KvReply get(std::string_view key, bool local = false);

  HttpClient& http() { return http_; }
  const HttpClient& http() const { return http_; }

 private:
  KvReply interpret(const std::optional<HttpResponse>& response, bool is_read) const;

  HttpClient http_;
};

}  // namespace paxoskv::e2e

// A KvClient whose every operation goes into a shared history for the linearizability checker.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "tests/e2e/kv_client.h"
#include "tests/support/linearizability.h"

namespace paxoskv::e2e {

// Nanoseconds on the steady clock: the history's time base.
std::uint64_t steady_now_ns();

class RecordingClient {
 public:
  RecordingClient(int client_id, std::uint16_t port, check::HistoryRecorder& recorder,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));
  RecordingClient(int client_id, std::string host, std::uint16_t port,
                  check::HistoryRecorder& recorder,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));

  KvReply put(std::string_view key, std::string_view value,
              std::optional<std::uint64_t> expected_version = std::nullopt);
  KvReply remove(std::string_view key,
                 std::optional<std::uint64_t> expected_version = std::nullopt);
  // Linearizable only: a local read may be stale, so it is not part of the history.
  KvReply get(std::string_view key);

  int id() const { return client_id_; }
  std::uint16_t port() const { return kv_.http().port(); }
  const std::string& host() const { return kv_.http().host(); }

 private:
  template <typename Call>
  KvReply recorded(check::HistoryOp op, Call call);

  int client_id_;
  KvClient kv_;
  check::HistoryRecorder& recorder_;
};

}  // namespace paxoskv::e2e

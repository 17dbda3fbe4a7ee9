#include "tests/e2e/recording_client.h"

#include <string>

namespace paxoskv::e2e {

std::uint64_t steady_now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

RecordingClient::RecordingClient(int client_id, std::uint16_t port,
                                 check::HistoryRecorder& recorder,
                                 std::chrono::milliseconds timeout)
    : client_id_(client_id), kv_(port, timeout), recorder_(recorder) {}

RecordingClient::RecordingClient(int client_id, std::string host, std::uint16_t port,
                                 check::HistoryRecorder& recorder,
                                 std::chrono::milliseconds timeout)
    : client_id_(client_id), kv_(std::move(host), port, timeout), recorder_(recorder) {}

template <typename Call>
KvReply RecordingClient::recorded(check::HistoryOp op, Call call) {
  op.client = client_id_;
  op.invoked = steady_now_ns();
  const auto handle = recorder_.invoke(std::move(op));
  KvReply reply = call();
  recorder_.complete(handle, reply.result, reply.version, reply.value, steady_now_ns());
  return reply;
}

KvReply RecordingClient::put(std::string_view key, std::string_view value,
                             std::optional<std::uint64_t> expected_version) {
  check::HistoryOp op;
  op.key = key;
  op.kind = check::OpKind::kPut;
  op.expected = expected_version;
  op.value = value;
  return recorded(std::move(op), [&] { return kv_.put(key, value, expected_version); });
}

KvReply RecordingClient::remove(std::string_view key,
                                std::optional<std::uint64_t> expected_version) {
  check::HistoryOp op;
  op.key = key;
  op.kind = check::OpKind::kDelete;
  op.expected = expected_version;
  return recorded(std::move(op), [&] { return kv_.remove(key, expected_version); });
}

KvReply RecordingClient::get(std::string_view key) {
  check::HistoryOp op;
  op.key = key;
  op.kind = check::OpKind::kRead;
  return recorded(std::move(op), [&] { return kv_.get(key); });
}

}  // namespace paxoskv::e2e

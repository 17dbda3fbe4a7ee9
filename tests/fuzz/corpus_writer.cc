// Writes the fuzz targets' seed corpora from real encodings: a hello and every peer
// message kind, typical HTTP requests of every route, and every store record kind.
// Usage: fuzz_corpus_writer <corpus dir>; writes <dir>/<target>/<name> (small files).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "kvstore/record_codec.h"
#include "src/transport/frame.h"
#include "src/transport/wire_codec.h"

namespace paxoskv::fuzz {
namespace {

using Seeds = std::vector<std::pair<std::string, std::string>>;  // name, bytes

Seeds peer_frame_seeds() {
  using namespace consensus;
  const std::string hello = hello_frame({2, "cluster-fingerprint-3-replicas", kProductProtocols});
  const WriterMarks marks{{1, 4, 7}, {3, 2, 9}};
  const CatchUpReply entry{"config/a", 7, std::string("value"), marks};
  using anti_entropy::SyncReply;
  using anti_entropy::SyncRequest;
  const std::vector<std::pair<std::string, PeerMessage>> messages = {
      {"prepare", Prepare{"config/a", 8, {3, 1}, 2}},
      {"promise", Promise{"config/a", 8, {3, 1}, AcceptedProposal{8, {2, 2}, "v", {2, 17}}}},
      {"promise_empty", Promise{"config/a", 8, {3, 1}, std::nullopt}},
      {"reject", Reject{"config/a", 8, {3, 1}, {4, 2}}},
      {"accept", Accept{"config/a", 8, {3, 1}, std::string("new value"), {1, 42}, 2}},
      {"accept_delete", Accept{"config/a", 9, {3, 1}, std::nullopt, {1, 43}, 2}},
      {"accepted", Accepted{"config/a", 8, {3, 1}}},
      {"commit", Commit{"config/a", 8, {3, 1}, 2}},
      {"catch_up_request", CatchUpRequest{"config/a", 6}},
      {"catch_up_reply", entry},
      {"read_query", ReadQuery{"config/a", 5, 7}},
      {"read_reply", ReadReply{"config/a", 5, 7, KeyValue{"value"}, marks, 8}},
      {"sync_request", SyncRequest{120, 500}},
      {"sync_reply", SyncReply{{entry, CatchUpReply{"b", 2, std::nullopt, {}}}, 130, true}},
      {"forward_request", ForwardRequest{"config/a", 11, false, "value", Version{7}, 5000}},
      {"forward_reply", ForwardReply{"config/a", 11, 1, 8, std::string("value"), 2}},
      {"forward_withdraw", ForwardWithdraw{"config/a", 11, 2}},
      {"forward_withdrawn", ForwardWithdrawn{"config/a", 11}},
      {"prepare_config", Prepare{"config/a", 8, {3, 1}, 2, 3}},
      {"accept_config", Accept{"config/a", 8, {3, 1}, std::string("v"), {1, 42}, 2, 3}},
      {"read_query_config", ReadQuery{"config/a", 5, 7, 3}},
      {"key_list_request", membership::KeyListRequest{9, 2, "config/a", 1000}},
      {"key_list_reply", membership::KeyListReply{9, {"config/b", "config/c"}, true}},
  };
  Seeds seeds{{"hello", hello}};
  // The same conversation in protocol 4, of those messages it can carry.
  const std::string hello_protocol_4 = hello_frame({2, "cluster-fingerprint-3-replicas", {4, 4}});
  std::string conversation = hello;
  std::string conversation_protocol_4 = hello_protocol_4;
  for (const auto& [name, message] : messages) {
    const std::string frame = message_frame(message, kPeerProtocolMax, 1 << 20).bytes;
    seeds.emplace_back(name, hello + frame);
    conversation += frame;
    conversation_protocol_4 += message_frame(message, 4, 1 << 20).bytes;  // empty if it cannot
  }
  seeds.emplace_back("conversation", conversation);
  seeds.emplace_back("conversation_protocol_4", conversation_protocol_4);
  return seeds;
}

// Each seed's first byte is the mode (tests/fuzz/http_request_fuzz.cc): 0 authentication
// off; with it on, 3 the root token, 5 a read token for "config/", 7 an unknown one, 1 none.
Seeds http_request_seeds() {
  const std::string host = "Host: localhost\r\n";
  const std::string off(1, '\0');
  Seeds seeds = {
      {"get", "GET /v1/kv/config/a HTTP/1.1\r\n" + host + "\r\n"},
      {"get_local_raw", "GET /v1/kv/config/a?consistency=local&raw HTTP/1.1\r\n" + host + "\r\n"},
      {"head", "HEAD /v1/kv/config/a HTTP/1.1\r\n" + host + "\r\n"},
      {"put", "PUT /v1/kv/config/a HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhello"},
      {"put_cas", "PUT /v1/kv/config/a?cas=0 HTTP/1.1\r\n" + host +
                      "Content-Type: application/octet-stream\r\nContent-Length: 3\r\n\r\nabc"},
      {"put_chunked", "PUT /v1/kv/b%2Fc HTTP/1.1\r\n" + host +
                          "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"},
      {"put_expect", "PUT /v1/kv/config/a HTTP/1.1\r\n" + host +
                         "Expect: 100-continue\r\nContent-Length: 2\r\n\r\nhi"},
      {"delete", "DELETE /v1/kv/config/a?cas=3 HTTP/1.1\r\n" + host + "\r\n"},
      {"wait_key", "GET /v1/kv/config/a?wait=3&timeout=5s HTTP/1.1\r\n" + host + "\r\n"},
      {"list", "GET /v1/kv?prefix=config%2F&limit=2&after=config%2Fa HTTP/1.1\r\n" + host + "\r\n"},
      {"prefix_wait",
       "GET /v1/kv?prefix=config/&wait=10&timeout=100ms HTTP/1.1\r\n" + host + "\r\n"},
      {"status", "GET /v1/status HTTP/1.1\r\n" + host + "\r\n"},
      {"metrics", "GET /metrics HTTP/1.1\r\n" + host + "\r\n"},
      {"healthz", "GET /healthz HTTP/1.0\r\n\r\n"},
      {"method_not_allowed",
       "POST /v1/kv/config/a HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n"},
      {"no_quorum", "PUT /v1/kv/no-quorum HTTP/1.1\r\n" + host + "Content-Length: 1\r\n\r\nx"},
      {"pipelined", "PUT /v1/kv/k HTTP/1.1\r\n" + host + "Content-Length: 1\r\n\r\nx" +
                        "GET /v1/kv/k?wait=1 HTTP/1.1\r\n" + host + "\r\n" +
                        "PUT /v1/kv/k?cas=1 HTTP/1.1\r\n" + host + "Content-Length: 1\r\n\r\ny" +
                        "GET /v1/kv?prefix=k&wait=0 HTTP/1.1\r\n" + host + "\r\n" +
                        "DELETE /v1/kv/k HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n"},
  };
  for (auto& [name, bytes] : seeds) bytes = off + bytes;
  const std::string root(1, '\3');
  const std::string reader(1, '\5');
  const std::string token_body = R"({"name":"app","role":"readwrite","prefix":"config/"})";
  seeds.emplace_back("auth_token_create",
                     root + "POST /v1/auth/tokens HTTP/1.1\r\n" + host +
                         "Content-Length: " + std::to_string(token_body.size()) + "\r\n\r\n" +
                         token_body + "GET /v1/auth/tokens HTTP/1.1\r\n" + host + "\r\n" +
                         "DELETE /v1/auth/tokens/app HTTP/1.1\r\n" + host + "\r\n");
  seeds.emplace_back("auth_read_token", reader + "GET /v1/kv?prefix=con&wait=0 HTTP/1.1\r\n" +
                                            host + "\r\n" + "PUT /v1/kv/config/a HTTP/1.1\r\n" +
                                            host + "Content-Length: 1\r\n\r\nx" +
                                            "GET /v1/kv/other HTTP/1.1\r\n" + host + "\r\n");
  seeds.emplace_back("auth_no_token", std::string(1, '\1') + "GET /v1/members HTTP/1.1\r\n" + host +
                                          "Authorization: Bearer \r\n\r\n");
  seeds.emplace_back("auth_unknown_token",
                     std::string(1, '\7') + "GET /v1/kv/config/a HTTP/1.1\r\n" + host + "\r\n");
  return seeds;
}

Seeds record_seeds() {
  namespace codec = kvstore::codec;
  // The first byte picks the record kind, as in record_fuzz.cc.
  const auto as = [](char kind, const std::string& record) {
    return std::string(1, kind) + record;
  };
  consensus::AcceptorRecord acceptor;
  acceptor.promised = {5, 2};
  acceptor.promised_incarnation = 3;
  acceptor.accepted = consensus::AcceptedProposal{9, {5, 2}, std::string("value"), {2, 77}};
  acceptor.led = {4, 1};
  acceptor.led_incarnation = 1;
  consensus::AcceptorRecord promise_only = acceptor;
  promise_only.accepted.reset();
  kvstore::AppliedState state;
  state.version = 8;
  state.value = "value";
  state.writers = {{1, 4, 7}, {2, 76, 8}};
  state.change_index = 120;
  kvstore::AppliedState deleted = state;
  deleted.value.reset();
  // Format 2, as an earlier version wrote them: no incarnations, no promise with the state.
  std::string acceptor_v2 = codec::encode_acceptor(promise_only);
  acceptor_v2[0] = static_cast<char>(codec::kFormatV2);
  acceptor_v2.erase(1 + 12, 8);  // promised_incarnation
  std::string state_v2 = codec::encode_state(state, {});
  state_v2[0] = static_cast<char>(codec::kFormatV2);
  state_v2.resize(state_v2.size() - 2 * (12 + 8));  // the promise and leadership
  return {
      {"identity", as(0, codec::encode_identity({3, "cluster-fingerprint"}))},
      {"counter", as(1, codec::encode_counter(120))},
      {"acceptor", as(2, codec::encode_acceptor(acceptor))},
      {"acceptor_promise", as(2, codec::encode_acceptor(promise_only))},
      {"acceptor_v2", as(2, acceptor_v2)},
      {"state", as(3, codec::encode_state(state, promise_only))},
      {"state_deleted", as(3, codec::encode_state(deleted, {}))},
      {"state_v2", as(3, state_v2)},
      {"change_log_entry", as(4, codec::encode_change_log_entry("config/a"))},
  };
}

bool write_seeds(const std::filesystem::path& dir, const Seeds& seeds) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, bytes] : seeds) {
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::cerr << "cannot write " << (dir / name) << "\n";
      return false;
    }
  }
  std::cout << dir.string() << ": " << seeds.size() << " seeds\n";
  return true;
}

}  // namespace
}  // namespace paxoskv::fuzz

int main(int argc, char** argv) {
  using namespace paxoskv::fuzz;
  if (argc != 2) {
    std::cerr << "usage: fuzz_corpus_writer <corpus dir>\n";
    return 2;
  }
  const std::filesystem::path root = argv[1];
  const bool written = write_seeds(root / "peer_frame", peer_frame_seeds()) &&
                       write_seeds(root / "http_request", http_request_seeds()) &&
                       write_seeds(root / "record", record_seeds());
  return written ? 0 : 1;
}

// Writes the fuzz targets' seed corpora from real encodings: a hello and every peer
// message kind, typical HTTP requests of every route, every store record kind, and TLS
// conversations recorded between our own engines.
// Usage: fuzz_corpus_writer <corpus dir>; writes <dir>/<target>/<name> (small files).
#include <openssl/ssl.h>

#include <boost/asio/ssl/stream_base.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kvstore/record_codec.h"
#include "src/tls/ssl_engine.h"
#include "src/transport/frame.h"
#include "src/transport/wire_codec.h"
#include "tests/fuzz/fixed_random.h"
#include "tests/fuzz/tls_fixture.h"

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
// off; with it on, 3 the root token, 5 a read token for "config/", 7 an unknown one, 1 none,
// 9 a readwrite token for "app/", 11 a revoked token, 13 an unconfirmed one (no quorum to
// confirm it), 15 an admin token.
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
  const auto put = [&](const std::string& key) {
    return "PUT /v1/kv/" + key + " HTTP/1.1\r\n" + host + "Content-Length: 1\r\n\r\nx";
  };
  const auto request = [&](const std::string& method, const std::string& target) {
    return method + " " + target + " HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n";
  };
  seeds.emplace_back("auth_read_token_writes",
                     reader + put("config/a") + request("DELETE", "/v1/kv/config/a") +
                         request("POST", "/v1/leases?ttl=10s") + request("GET", "/v1/auth/tokens"));
  seeds.emplace_back("auth_prefix_token", std::string(1, '\x09') + put("app/a") + put("config/a") +
                                              put("ap") + request("GET", "/v1/kv?prefix=a") +
                                              request("DELETE", "/v1/kv/app/a") +
                                              request("POST", "/v1/leases?ttl=10s"));
  seeds.emplace_back("auth_prefix_escape", std::string(1, '\x09') + put("app%2F..%2Fconfig%2Fa") +
                                               put("app/../config/a") + put("APP/a") +
                                               put("%61pp/a") + request("GET", "/v1/kv/config/a"));
  seeds.emplace_back("auth_revoked_token", std::string(1, '\x0b') + put("app/a") +
                                               request("GET", "/v1/kv/app/a") +
                                               request("GET", "/v1/auth/tokens"));
  seeds.emplace_back("auth_unconfirmed_token", std::string(1, '\x0d') + put("app/a") +
                                                   request("GET", "/v1/members") +
                                                   request("DELETE", "/v1/members/3"));
  seeds.emplace_back("auth_admin_token", std::string(1, '\x0f') + put("config/a") +
                                             request("GET", "/v1/auth/tokens") +
                                             request("DELETE", "/v1/auth/tokens/reader") +
                                             "GET /v1/kv/config/a HTTP/1.1\r\n" + host +
                                             "Authorization: Bearer pkv_fuzz-read\r\n\r\n");
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

// One engine of a recorded conversation, drawing from its own fixed random stream as
// the tls_record target's engine does.
struct RecordedEngine {
  RandomStream random;
  std::unique_ptr<tls::SslEngine> engine;
  boost::asio::ssl::stream_base::handshake_type side;
  std::string sent;  // everything it sent: the other side's input in the target
  bool established = false;
  bool failed = false;

  RecordedEngine(boost::asio::ssl::context& context,
                 boost::asio::ssl::stream_base::handshake_type side, std::uint64_t seed)
      : random(seed), side(side) {
    const ActiveRandom active(random);
    engine = std::make_unique<tls::SslEngine>(context);
  }

  // Takes `input`, goes on with the handshake; returns what it sends.
  std::string step(std::string& input) {
    const ActiveRandom active(random);
    engine->put_input(input.data(), input.size());
    input.clear();
    if (!established && !failed) {
      const tls::SslEngine::Step done = engine->handshake(side);
      failed = static_cast<bool>(done.error);
      established = !failed && done.want == tls::SslEngine::Want::nothing;
    }
    return take_output();
  }

  // Reads what came, answers it with `answer`, and ends with a close_notify.
  std::string finish(std::string& input, const std::string& answer) {
    const ActiveRandom active(random);
    engine->put_input(input.data(), input.size());
    input.clear();
    if (!established) return take_output();
    std::string plaintext(16 * 1024, '\0');
    while (engine->has_input()) {
      const tls::SslEngine::Step read = engine->read(plaintext.data(), plaintext.size());
      if (read.error || read.want != tls::SslEngine::Want::nothing) break;
    }
    if (!answer.empty()) engine->write(answer.data(), answer.size());
    engine->shutdown();
    return take_output();
  }

  std::string take_output() {
    std::string output;
    engine->take_output(output);
    sent += output;
    return output;
  }
};

struct Conversation {
  std::string client_first_flight;  // the ClientHello
  std::string client_sent;
  std::string server_sent;
  bool established = false;
};

// Which side speaks TLS 1.2 at most, so that the conversation is TLS 1.2; the other side
// is as the target has it (a replay only completes when its side's bytes are the same).
enum class Tls12 { no, client, server };

// A handshake between a server and a client of these contexts, then `request` from the
// client, `response` from the server, and both close_notifys.
Conversation converse(boost::asio::ssl::context& server_context,
                      boost::asio::ssl::context& client_context, const std::string& request,
                      const std::string& response, Tls12 tls12 = Tls12::no) {
  using boost::asio::ssl::stream_base;
  RecordedEngine server(server_context, stream_base::server, kServerRandomSeed);
  RecordedEngine client(client_context, stream_base::client, kClientRandomSeed);
  if (tls12 != Tls12::no) {
    SSL* capped = (tls12 == Tls12::client ? client : server).engine->native_handle();
    SSL_set_max_proto_version(capped, TLS1_2_VERSION);
  }
  Conversation conversation;
  std::string to_server;
  std::string to_client;
  for (int round = 0; round < 8; ++round) {
    to_server += client.step(to_client);
    if (round == 0) conversation.client_first_flight = to_server;
    to_client += server.step(to_server);
    if (client.failed || server.failed || (client.established && server.established)) break;
  }
  conversation.established = client.established && server.established;
  if (conversation.established) {
    const ActiveRandom active(client.random);
    client.engine->write(request.data(), request.size());
    to_server += client.take_output();
  }
  to_client += server.finish(to_server, response);
  to_server += client.finish(to_client, {});
  server.step(to_server);
  conversation.client_sent = client.sent;
  conversation.server_sent = server.sent;
  return conversation;
}

// Each seed's first byte is the kind of engine (tests/fuzz/tls_record_fuzz.cc): 0-2 the
// client listener (no client certificates, optional, required), 3 the peer listener, 4
// the peer dialer, 5 a client without a certificate. Then a 0: the rest in one chunk.
Seeds tls_record_seeds() {
  const TlsFixture& fixture = tls_fixture();
  const auto seed = [](char kind, const std::string& bytes) {
    return std::string(1, kind) + std::string(1, '\0') + bytes;
  };
  const std::string http_request = "GET /v1/status HTTP/1.1\r\nHost: localhost\r\n\r\n";
  const std::string http_response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
  const std::string hello = hello_frame({2, "cluster-fingerprint-3-replicas", kProductProtocols});
  const std::string hello_reply = std::string(kFrameHeaderBytes, '\0');

  const Conversation https =
      converse(*fixture.https, *fixture.anonymous_client, http_request, http_response);
  const Conversation https_tls12 = converse(*fixture.https, *fixture.anonymous_client, http_request,
                                            http_response, Tls12::client);
  const Conversation optional_anonymous =
      converse(*fixture.https_optional, *fixture.anonymous_client, http_request, http_response);
  const Conversation optional_certificate =
      converse(*fixture.https_optional, *fixture.peer_client, http_request, http_response);
  const Conversation required_certificate =
      converse(*fixture.https_required, *fixture.peer_client, http_request, http_response);
  const Conversation required_anonymous =
      converse(*fixture.https_required, *fixture.anonymous_client, http_request, http_response);
  const Conversation peer =
      converse(*fixture.peer_server, *fixture.peer_client, hello, hello_reply);
  const Conversation peer_tls12 =
      converse(*fixture.peer_server, *fixture.peer_client, hello, hello_reply, Tls12::client);
  const Conversation dialer_tls12 =
      converse(*fixture.peer_server, *fixture.peer_client, hello, hello_reply, Tls12::server);
  const Conversation client_tls12 = converse(*fixture.https, *fixture.anonymous_client,
                                             http_request, http_response, Tls12::server);
  const Conversation peer_intruder =
      converse(*fixture.peer_server, *fixture.intruder_client, hello, hello_reply);

  std::string client_hello_cut = peer.client_first_flight;
  client_hello_cut.resize(client_hello_cut.size() / 2);
  std::string client_hello_bad_length = peer.client_first_flight;
  client_hello_bad_length[3] = '\x7f';  // the record's length, far more than there is
  std::string finished_flipped = peer.client_sent;
  finished_flipped[peer.client_first_flight.size() + 40] ^= 0x20;  // in the encrypted flight
  // The conversation in chunks of 1 to 200 bytes, as the network might cut it.
  std::string chunked(1, '\3');
  const std::string& whole = peer.client_sent;
  for (std::size_t at = 0, size = 1; at < whole.size(); at += size, size = size * 3 % 200 + 1) {
    const std::string chunk = whole.substr(at, size);
    chunked += static_cast<char>(chunk.size());
    chunked += chunk;
  }

  if (!https.established || !https_tls12.established || !optional_anonymous.established ||
      !optional_certificate.established || !required_certificate.established ||
      required_anonymous.established || !peer.established || !peer_tls12.established ||
      peer_intruder.established || !dialer_tls12.established || !client_tls12.established) {
    throw std::runtime_error("a recorded TLS conversation did not go as expected");
  }
  return {
      {"https_handshake", seed(0, https.client_sent)},
      {"https_tls12", seed(0, https_tls12.client_sent)},
      {"https_client_hello", seed(0, https.client_first_flight)},
      {"https_optional_anonymous", seed(1, optional_anonymous.client_sent)},
      {"https_optional_certificate", seed(1, optional_certificate.client_sent)},
      {"https_required_certificate", seed(2, required_certificate.client_sent)},
      {"https_required_anonymous", seed(2, required_anonymous.client_sent)},
      {"peer_handshake", seed(3, peer.client_sent)},
      {"peer_tls12", seed(3, peer_tls12.client_sent)},
      {"peer_client_hello", seed(3, peer.client_first_flight)},
      {"peer_client_hello_cut", seed(3, client_hello_cut)},
      {"peer_client_hello_bad_length", seed(3, client_hello_bad_length)},
      {"peer_finished_flipped", seed(3, finished_flipped)},
      {"peer_chunked", chunked},
      // A client without a certificate, as the optional check lets it in: the peer
      // listener must refuse these very bytes (they complete if it does not ask).
      {"peer_anonymous", seed(3, optional_anonymous.client_sent)},
      {"peer_intruder", seed(3, peer_intruder.client_sent)},
      {"dialer_handshake", seed(4, peer.server_sent)},
      {"dialer_tls12", seed(4, dialer_tls12.server_sent)},
      {"client_handshake", seed(5, https.server_sent)},
      {"client_tls12", seed(5, client_tls12.server_sent)},
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
                       write_seeds(root / "record", record_seeds()) &&
                       write_seeds(root / "tls_record", tls_record_seeds());
  return written ? 0 : 1;
}

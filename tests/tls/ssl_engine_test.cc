#include "src/tls/ssl_engine.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <string>

#include "src/tls/tls_context.h"
#include "tests/support/test_pki.h"

namespace {

namespace ssl = boost::asio::ssl;
using paxoskv::TlsFiles;
using paxoskv::test::TestPki;
using paxoskv::tls::SslEngine;
using Want = SslEngine::Want;

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("paxoskv-ssl-engine-test-" + std::to_string(std::random_device{}()));
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>('a' + i % 23);
  return bytes;
}

// Hands what `from` made to `to` through input_space and commit_input.
void pass(SslEngine& from, SslEngine& to) {
  std::string bytes;
  from.take_output(bytes);
  std::copy(bytes.begin(), bytes.end(), to.input_space(bytes.size()));
  to.commit_input(bytes.size());
}

// Two engines with the handshake done, bytes passed between them in memory.
struct Connected {
  explicit Connected(const TestPki& pki) {
    TlsFiles server_files = pki.issue("server");
    server_files.client_cert_auth = true;
    server_context = paxoskv::tls::make_server_context(server_files);
    client_context = paxoskv::tls::make_client_context(pki.issue("client"));
    server = std::make_unique<SslEngine>(*server_context);
    client = std::make_unique<SslEngine>(*client_context);
    bool client_done = false, server_done = false;
    for (int round = 0; round < 10 && !(client_done && server_done); ++round) {
      const SslEngine::Step c = client->handshake(ssl::stream_base::client);
      REQUIRE_FALSE(c.error);
      client_done = c.want == Want::nothing;
      pass(*client, *server);
      const SslEngine::Step s = server->handshake(ssl::stream_base::server);
      REQUIRE_FALSE(s.error);
      server_done = s.want == Want::nothing;
      pass(*server, *client);
    }
    REQUIRE(client_done);
    REQUIRE(server_done);
  }

  std::shared_ptr<ssl::context> server_context;
  std::shared_ptr<ssl::context> client_context;
  std::unique_ptr<SslEngine> server;
  std::unique_ptr<SslEngine> client;
};

}  // namespace

TEST_CASE("TLS engine: records arriving in pieces of any size, read a little at a time") {
  TempDir dir;
  TestPki pki(dir.path);
  Connected c(pki);

  // Several records, more than OpenSSL takes from the input at once.
  const std::string sent = pattern(150'000);
  for (std::size_t at = 0; at < sent.size(); at += 10'000) {
    const SslEngine::Step step = c.client->write(sent.data() + at, 10'000);
    REQUIRE_FALSE(step.error);
    REQUIRE(step.bytes == 10'000);
  }
  std::string network;
  c.client->take_output(network);
  REQUIRE(network.size() > sent.size());

  // Pieces of odd sizes, each followed by a few small reads that leave bytes unread in
  // the engine's input, so that later pieces land after what is kept there.
  std::string received;
  std::size_t at = 0;
  const std::size_t pieces[] = {1, 7, 4'000, 60'000, 333};
  for (std::size_t i = 0; at < network.size(); ++i) {
    const std::size_t piece = std::min(pieces[i % std::size(pieces)], network.size() - at);
    std::copy_n(network.data() + at, piece, c.server->input_space(piece));
    c.server->commit_input(piece);
    at += piece;
    for (int read = 0; read < 3; ++read) {
      char buffer[700];
      const SslEngine::Step step = c.server->read(buffer, sizeof buffer);
      REQUIRE_FALSE(step.error);
      if (step.want == Want::input) break;
      received.append(buffer, step.bytes);
    }
  }
  while (c.server->has_input()) {
    char buffer[700];
    const SslEngine::Step step = c.server->read(buffer, sizeof buffer);
    REQUIRE_FALSE(step.error);
    if (step.want == Want::input) break;
    received.append(buffer, step.bytes);
  }
  CHECK(received.size() == sent.size());
  CHECK(received == sent);
}

TEST_CASE("TLS engine: output is taken whole, appended after what the caller holds") {
  TempDir dir;
  TestPki pki(dir.path);
  Connected c(pki);

  std::string network = "held";
  REQUIRE_FALSE(c.client->write("first", 5).error);
  REQUIRE(c.client->has_output());
  c.client->take_output(network);
  REQUIRE_FALSE(c.client->has_output());
  REQUIRE_FALSE(c.client->write("second", 6).error);
  c.client->take_output(network);
  REQUIRE(network.substr(0, 4) == "held");

  c.server->put_input(network.data() + 4, network.size() - 4);
  std::string received;
  char buffer[64];
  for (SslEngine::Step step = c.server->read(buffer, sizeof buffer);
       !step.error && step.want == Want::nothing; step = c.server->read(buffer, sizeof buffer)) {
    received.append(buffer, step.bytes);
  }
  CHECK(received == "firstsecond");
}

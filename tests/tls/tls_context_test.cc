#include "src/tls/tls_context.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <stdexcept>
#include <thread>

#include "tests/support/test_pki.h"

namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
using net::ip::tcp;
using paxoskv::TlsFiles;
using paxoskv::test::TestPki;

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("paxoskv-tls-test-" + std::to_string(std::random_device{}()));
  ~TempDir() { std::filesystem::remove_all(path); }
};

// One handshake over loopback; whether each side completed it.
struct Outcome {
  bool server_ok = false;
  bool client_ok = false;
};

Outcome handshake(const TlsFiles& server_files, const TlsFiles& client_files) {
  auto server_context = paxoskv::tls::make_server_context(server_files);
  auto client_context = paxoskv::tls::make_client_context(client_files);
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  auto server = std::async(std::launch::async, [&] {
    net::io_context server_io;
    ssl::stream<tcp::socket> stream(server_io, *server_context);
    acceptor.accept(stream.next_layer());
    boost::system::error_code error;
    stream.handshake(ssl::stream_base::server, error);
    return !error;
  });
  ssl::stream<tcp::socket> client(io, *client_context);
  client.next_layer().connect(acceptor.local_endpoint());
  boost::system::error_code error;
  client.handshake(ssl::stream_base::client, error);
  Outcome outcome;
  outcome.client_ok = !error;
  // TLS 1.3: the client may finish before the server has checked its certificate; a
  // refusal then shows as the server's failure.
  if (outcome.client_ok) client.write_some(net::buffer("x", 1), error);
  outcome.server_ok = server.get();
  return outcome;
}

}  // namespace

TEST_CASE("TLS contexts: mutual TLS succeeds with certificates of the trusted CA") {
  TempDir dir;
  TestPki pki(dir.path);
  TlsFiles server = pki.issue("server");
  server.client_cert_auth = true;
  const Outcome outcome = handshake(server, pki.issue("client"));
  CHECK(outcome.server_ok);
  CHECK(outcome.client_ok);
}

TEST_CASE("TLS contexts: a client without a certificate is refused when one is required") {
  TempDir dir;
  TestPki pki(dir.path);
  TlsFiles server = pki.issue("server");
  server.client_cert_auth = true;
  TlsFiles anonymous{.cert_file = {},
                     .key_file = {},
                     .trusted_ca_file = pki.ca_file().string(),
                     .client_cert_auth = false};
  CHECK_FALSE(handshake(server, anonymous).server_ok);
  // Without client_cert_auth the certificate is optional.
  server.client_cert_auth = false;
  CHECK(handshake(server, anonymous).server_ok);
}

TEST_CASE("TLS contexts: certificates of another CA are refused both ways") {
  TempDir dir;
  TestPki pki(dir.path / "ours");
  TestPki stranger(dir.path / "theirs", "another CA");
  TlsFiles server = pki.issue("server");
  server.client_cert_auth = true;
  TlsFiles intruder = stranger.issue("intruder");
  CHECK_FALSE(handshake(server, intruder).server_ok);  // the server refuses the client
  intruder.trusted_ca_file = pki.ca_file().string();
  CHECK_FALSE(handshake(server, intruder).server_ok);
  // A client of ours refuses a server of theirs.
  TlsFiles fake_server = stranger.issue("fake-server");
  CHECK_FALSE(handshake(fake_server, pki.issue("client")).client_ok);
}

TEST_CASE("TLS contexts: unusable files are refused with the file's name") {
  TempDir dir;
  TestPki pki(dir.path);
  TlsFiles files = pki.issue("server");
  TlsFiles missing = files;
  missing.cert_file = (dir.path / "absent.pem").string();
  CHECK_THROWS_WITH(paxoskv::tls::make_server_context(missing), Catch::Contains("absent.pem"));
  TlsFiles mismatched = files;
  mismatched.key_file = pki.issue("other").key_file;
  CHECK_THROWS_AS(paxoskv::tls::make_server_context(mismatched), std::runtime_error);
  TlsFiles no_ca = files;
  no_ca.trusted_ca_file.clear();
  no_ca.client_cert_auth = true;
  CHECK_THROWS_AS(paxoskv::tls::make_server_context(no_ca), std::runtime_error);
}

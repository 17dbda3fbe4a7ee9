#include "src/tls/ssl_stream.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "src/tls/tls_context.h"
#include "tests/support/test_pki.h"

namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
using boost::system::error_code;
using net::ip::tcp;
using paxoskv::TlsFiles;
using paxoskv::test::TestPki;
using Stream = paxoskv::tls::SslStream<tcp::socket>;

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("paxoskv-ssl-stream-test-" + std::to_string(std::random_device{}()));
  ~TempDir() { std::filesystem::remove_all(path); }
};

// A connected client and server stream over loopback, both on one io_context.
struct Pair {
  Pair(const TlsFiles& server_files, const TlsFiles& client_files)
      : server_context(paxoskv::tls::make_server_context(server_files)),
        client_context(paxoskv::tls::make_client_context(client_files)),
        server(tcp::socket(io), *server_context),
        client(tcp::socket(io), *client_context) {
    tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    client.next_layer().connect(acceptor.local_endpoint());
    acceptor.accept(server.next_layer());
  }

  // Runs both handshakes, then a read on the client that waits for what the server
  // sends: with TLS 1.3 the client is done before the server checked its certificate, and
  // a refusal reaches it there. The handshakes' errors.
  std::pair<error_code, error_code> handshake(bool then_read = true) {
    error_code server_error = net::error::would_block;
    error_code client_error = net::error::would_block;
    server.async_handshake(ssl::stream_base::server, [&](error_code e) { server_error = e; });
    client.async_handshake(ssl::stream_base::client, [&](error_code e) {
      client_error = e;
      if (e || !then_read) return;
      client.async_read_some(net::buffer(scratch), [this](error_code read_error, std::size_t) {
        client_read = read_error;
      });
    });
    io.run_for(std::chrono::seconds(2));
    io.restart();
    return {server_error, client_error};
  }

  net::io_context io;
  std::shared_ptr<ssl::context> server_context;
  std::shared_ptr<ssl::context> client_context;
  Stream server;
  Stream client;
  char scratch[16];
  error_code client_read = net::error::would_block;  // the read handshake() starts
};

std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>('a' + i % 23);
  return bytes;
}

TlsFiles server_files(const TestPki& pki) {
  TlsFiles files = pki.issue("server");
  files.client_cert_auth = true;
  return files;
}

}  // namespace

TEST_CASE("TLS stream: data of any size crosses both ways, gathered writes included") {
  TempDir dir;
  TestPki pki(dir.path);
  Pair pair(server_files(pki), pki.issue("client"));
  Stream* const streams[] = {&pair.client, &pair.server};
  const auto [server_error, client_error] = pair.handshake(false);
  REQUIRE_FALSE(server_error);
  REQUIRE_FALSE(client_error);

  for (const std::size_t size :
       {std::size_t{1}, std::size_t{100}, std::size_t{20'000}, std::size_t{300'000}}) {
    for (int direction = 0; direction < 2; ++direction) {
      Stream& from = *streams[direction];
      Stream& to = *streams[1 - direction];
      const std::string sent = pattern(size);
      // Three pieces, as an HTTP header, a body and a trailer would be.
      const std::array<net::const_buffer, 3> pieces{
          net::buffer(sent.data(), size / 3), net::buffer(sent.data() + size / 3, size / 3),
          net::buffer(sent.data() + 2 * (size / 3), size - 2 * (size / 3))};
      std::string received(size, '\0');
      error_code write_error = net::error::would_block, read_error = net::error::would_block;
      net::async_write(from, pieces, [&](error_code e, std::size_t) { write_error = e; });
      net::async_read(to, net::buffer(received),
                      [&](error_code e, std::size_t) { read_error = e; });
      pair.io.run();
      pair.io.restart();
      CHECK_FALSE(write_error);
      CHECK_FALSE(read_error);
      CHECK(received == sent);
    }
  }
}

TEST_CASE("TLS stream: close_notify ends the stream with eof, a cut connection is truncated") {
  TempDir dir;
  TestPki pki(dir.path);
  {
    // The client's read (from handshake()) sees the server's close_notify as eof; the
    // server's shutdown, the connection's end without the client's close_notify.
    Pair pair(server_files(pki), pki.issue("client"));
    REQUIRE_FALSE(pair.handshake().first);
    error_code shutdown_error = net::error::would_block;
    pair.server.async_shutdown([&](error_code e) { shutdown_error = e; });
    pair.io.run_for(std::chrono::milliseconds(300));
    pair.io.restart();
    CHECK(pair.client_read == net::error::eof);
    CHECK(shutdown_error == net::error::would_block);  // waits for the client's
    pair.client.next_layer().close();
    pair.io.run_for(std::chrono::seconds(2));
    CHECK(shutdown_error);
  }
  {
    Pair pair(server_files(pki), pki.issue("client"));
    REQUIRE_FALSE(pair.handshake(false).first);
    char byte = 0;
    error_code read_error = net::error::would_block;
    pair.server.async_read_some(net::buffer(&byte, 1),
                                [&](error_code e, std::size_t) { read_error = e; });
    pair.client.next_layer().shutdown(tcp::socket::shutdown_send);
    pair.io.run();
    CHECK(read_error == ssl::error::stream_truncated);
  }
  {
    Pair pair(server_files(pki), pki.issue("client"));
    REQUIRE_FALSE(pair.handshake(false).first);
    char byte = 0;
    error_code read_error = net::error::would_block, shutdown_error = net::error::would_block;
    pair.server.async_read_some(net::buffer(&byte, 1),
                                [&](error_code e, std::size_t) { read_error = e; });
    pair.client.async_shutdown([&](error_code e) { shutdown_error = e; });
    pair.io.run_for(std::chrono::milliseconds(500));
    CHECK(read_error == net::error::eof);
  }
}

TEST_CASE("TLS stream: a client without a certificate, or of another CA, is refused") {
  TempDir dir;
  TestPki pki(dir.path / "ours");
  TestPki stranger(dir.path / "theirs", "another CA");
  {
    TlsFiles anonymous{.cert_file = {},
                       .key_file = {},
                       .trusted_ca_file = pki.ca_file().string(),
                       .client_cert_auth = false};
    Pair pair(server_files(pki), anonymous);
    const auto [server_error, client_error] = pair.handshake();
    CHECK(server_error.category() == net::error::get_ssl_category());
    CHECK_FALSE(client_error);
    CHECK(pair.client_read.category() == net::error::get_ssl_category());  // told by an alert
  }
  {
    Pair pair(server_files(pki), stranger.issue("intruder"));
    const auto [server_error, client_error] = pair.handshake();
    CHECK(server_error.category() == net::error::get_ssl_category());
    CHECK((client_error || pair.client_read));
  }
  {
    Pair pair(server_files(pki), pki.issue("client"));
    const auto [server_error, client_error] = pair.handshake();
    CHECK_FALSE(server_error);
    CHECK_FALSE(client_error);
    CHECK(pair.client_read == net::error::would_block);  // its read waits: no refusal
  }
}

TEST_CASE("TLS stream: plain text to a TLS server fails its handshake") {
  TempDir dir;
  TestPki pki(dir.path);
  Pair pair(server_files(pki), pki.issue("client"));
  error_code server_error = net::error::would_block;
  pair.server.async_handshake(ssl::stream_base::server, [&](error_code e) { server_error = e; });
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  net::write(pair.client.next_layer(), net::buffer(request));
  pair.io.run_for(std::chrono::seconds(5));
  CHECK(server_error.category() == net::error::get_ssl_category());
}

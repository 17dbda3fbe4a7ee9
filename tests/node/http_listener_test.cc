// An embedded replica serves the HTTP API itself when the program asks it to; with TLS,
// HTTPS only, client certificates when asked for, and certificates read again on demand.
#include "paxoskv/http_listener.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/verb.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "http/client/connection.h"
#include "src/tls/tls_context.h"
#include "tests/node/embedded_cluster.h"
#include "tests/node/http_exchange.h"
#include "tests/support/test_pki.h"

namespace paxoskv::node_test {

namespace {

using boost::beast::http::verb;
using namespace std::chrono_literals;

// One HTTPS request to `host`:`port` on a fresh connection with `client` files (the CA to
// trust, and a certificate if any): the answer's status, or nullopt when there was none.
std::optional<unsigned> https_request_to(const std::string& host, std::uint16_t port,
                                         const TlsFiles& client, verb method,
                                         const std::string& target, std::string body = {}) {
  boost::asio::io_context io;
  http::client::Connection connection(io, http::client::Endpoint{host, std::to_string(port), true},
                                      std::nullopt, tls::make_client_context(client));
  if (connection.connect(5s)) return std::nullopt;
  const auto result = connection.exchange(
      http::client::make_request(method, target, connection.endpoint(), std::move(body)), 5s);
  if (!result.response) return std::nullopt;
  return result.response->result_int();
}

std::optional<unsigned> https_request(std::uint16_t port, const TlsFiles& client, verb method,
                                      const std::string& target, std::string body = {}) {
  return https_request_to("127.0.0.1", port, client, method, target, std::move(body));
}

// The options of a listener on `listen` that serves HTTPS with `tls`.
HttpListenerOptions https_on(std::string listen, TlsFiles tls) {
  return HttpListenerOptions{
      .listen = std::move(listen), .tls = std::move(tls), .auth_root_token = {}};
}

TlsFiles trusting(const test::TestPki& pki) {
  return TlsFiles{.cert_file = {},
                  .key_file = {},
                  .trusted_ca_file = pki.ca_file().string(),
                  .client_cert_auth = false};
}

}  // namespace

TEST_CASE("node: an HttpListener serves the node's HTTP API", "[node]") {
  EmbeddedCluster cluster;
  HttpListener listener(cluster.node(1), "127.0.0.1:0");
  REQUIRE(listener.port() != 0);

  const std::string put = exchange(listener.port(),
                                   "PUT /v1/kv/embedded/key HTTP/1.1\r\nHost: x\r\n"
                                   "Content-Length: 5\r\nConnection: close\r\n\r\nhello");
  INFO(put);
  CHECK(put.starts_with("HTTP/1.1 200"));
  CHECK(put.find("\"version\":1") != std::string::npos);

  // Written over HTTP on replica 1, read through the API on replica 2.
  const Result read = cluster.node(2).get("embedded/key");
  CHECK(read.ok());
  CHECK(read.value == std::optional<std::string>("hello"));

  const std::string get = exchange(
      listener.port(), "GET /v1/kv/embedded/key HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  INFO(get);
  CHECK(get.starts_with("HTTP/1.1 200"));
  CHECK(get.find("\"value\":\"hello\"") != std::string::npos);
}

TEST_CASE("node: a request read in part when its HttpListener goes is still answered", "[node]") {
  EmbeddedCluster cluster;
  auto listener = std::make_unique<HttpListener>(cluster.node(1), "127.0.0.1:0");
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), listener->port()});
  boost::asio::write(socket, boost::asio::buffer(std::string("PUT /v1/kv/late/key HTTP/1.1\r\n")));
  // Once the listener has taken the connection (the one asking for metrics is the other),
  // it reads the request's first bytes at once: it is then reading a request, which it
  // answers even though the listener stops. The pause covers a slow machine.
  REQUIRE(
      eventually(std::chrono::seconds(5), [&] { return open_connections(listener->port()) >= 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  listener.reset();

  // The rest of the request reaches the node through the listener's front end, which
  // its connections keep while they answer.
  boost::asio::write(
      socket, boost::asio::buffer(
                  std::string("Host: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")));
  std::string response;
  boost::system::error_code error;
  boost::asio::read(socket, boost::asio::dynamic_buffer(response), error);
  INFO(response);
  CHECK(response.starts_with("HTTP/1.1 200"));
  CHECK(cluster.node(2).get("late/key").value == std::optional<std::string>("hello"));
}

TEST_CASE("node: an HttpListener with a root token asks every /v1 request for one",
          "[node][auth]") {
  EmbeddedCluster cluster;
  HttpListener listener(
      cluster.node(1),
      HttpListenerOptions{.listen = "127.0.0.1:0", .tls = {}, .auth_root_token = "embedded-root"});
  const CreatedToken reader = cluster.node(2).create_token("reader", Role::read, "open/");
  REQUIRE(reader.result.ok());
  REQUIRE(eventually(std::chrono::seconds(1),
                     [&] { return cluster.node(1).authenticate(reader.token).has_value(); }));
  const auto get = [&](const std::string& key, const std::string& token) {
    return exchange(listener.port(),
                    "GET /v1/kv/" + key + " HTTP/1.1\r\nHost: x\r\n" +
                        (token.empty() ? "" : "Authorization: Bearer " + token + "\r\n") +
                        "Connection: close\r\n\r\n");
  };
  CHECK(get("open/a", "").starts_with("HTTP/1.1 401"));
  CHECK(get("open/a", "embedded-root").starts_with("HTTP/1.1 404"));
  CHECK(get("open/a", reader.token).starts_with("HTTP/1.1 404"));
  CHECK(get("closed/a", reader.token).starts_with("HTTP/1.1 403"));
  CHECK(exchange(listener.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .starts_with("HTTP/1.1 200"));
}

TEST_CASE("node: an HttpListener with TLS serves HTTPS only", "[node][tls]") {
  EmbeddedCluster cluster;
  TempDir dir("paxoskv-listener-tls");
  const test::TestPki pki(dir.path() / "ca");
  HttpListener listener(cluster.node(1), https_on("127.0.0.1:0", pki.issue("server")));

  CHECK(https_request(listener.port(), trusting(pki), verb::put, "/v1/kv/tls/key", "hello") ==
        200u);
  CHECK(https_request(listener.port(), trusting(pki), verb::get, "/v1/kv/tls/key") == 200u);
  CHECK(cluster.node(2).get("tls/key").value == std::optional<std::string>("hello"));

  // Plain HTTP gets no HTTP answer, only a closed connection.
  const std::string plain =
      exchange(listener.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  INFO(plain);
  CHECK(plain.find("HTTP/1.1") == std::string::npos);

  // A client that does not trust the server's CA gives up at the handshake.
  const test::TestPki stranger(dir.path() / "stranger");
  CHECK_FALSE(https_request(listener.port(), trusting(stranger), verb::get, "/healthz"));
}

TEST_CASE("node: an HttpListener with client-cert-auth wants a certificate from its CA",
          "[node][tls]") {
  EmbeddedCluster cluster;
  TempDir dir("paxoskv-listener-mtls");
  const test::TestPki pki(dir.path() / "ca");
  TlsFiles server = pki.issue("server");
  server.client_cert_auth = true;
  HttpListener listener(cluster.node(1), https_on("127.0.0.1:0", server));

  CHECK_FALSE(https_request(listener.port(), trusting(pki), verb::get, "/healthz"));
  const test::TestPki other(dir.path() / "other");
  TlsFiles foreign = other.issue("client");
  foreign.trusted_ca_file = pki.ca_file().string();
  CHECK_FALSE(https_request(listener.port(), foreign, verb::get, "/healthz"));
  CHECK(https_request(listener.port(), pki.issue("client"), verb::get, "/healthz") == 200u);
}

TEST_CASE("node: HttpListener::reload_certificates takes rotated files, keeps good ones",
          "[node][tls]") {
  EmbeddedCluster cluster;
  TempDir dir("paxoskv-listener-reload");
  const test::TestPki old_ca(dir.path() / "old");
  const test::TestPki new_ca(dir.path() / "new");
  const TlsFiles served = old_ca.issue("server");
  HttpListener listener(cluster.node(1), https_on("127.0.0.1:0", served));
  REQUIRE(https_request(listener.port(), trusting(old_ca), verb::get, "/healthz") == 200u);

  // Rotated in place to a certificate of another CA.
  const TlsFiles rotated = new_ca.issue("server");
  const auto overwrite = std::filesystem::copy_options::overwrite_existing;
  std::filesystem::copy_file(rotated.cert_file, served.cert_file, overwrite);
  std::filesystem::copy_file(rotated.key_file, served.key_file, overwrite);
  CHECK(https_request(listener.port(), trusting(new_ca), verb::get, "/healthz") == std::nullopt);
  CHECK(listener.reload_certificates());
  CHECK(https_request(listener.port(), trusting(new_ca), verb::get, "/healthz") == 200u);
  CHECK_FALSE(https_request(listener.port(), trusting(old_ca), verb::get, "/healthz"));

  // A broken file is refused and the certificate in use stays.
  std::filesystem::remove(served.key_file);
  CHECK_FALSE(listener.reload_certificates());
  CHECK(https_request(listener.port(), trusting(new_ca), verb::get, "/healthz") == 200u);
}

TEST_CASE("node: an HTTPS client wants the certificate to name the host it asked for",
          "[node][tls]") {
  EmbeddedCluster cluster;
  TempDir dir("paxoskv-listener-host");
  const test::TestPki pki(dir.path() / "ca");
  // The certificate names 127.0.0.1, ::1 and localhost, not 127.0.0.2 (also loopback).
  HttpListener listener(cluster.node(1), https_on("127.0.0.2:0", pki.issue("server")));
  CHECK_FALSE(https_request_to("127.0.0.2", listener.port(), trusting(pki), verb::get, "/healthz"));
}

TEST_CASE("node: an HttpListener refuses TLS files it cannot use", "[node][tls]") {
  EmbeddedCluster cluster;
  TempDir dir("paxoskv-listener-badtls");
  const test::TestPki pki(dir.path() / "ca");
  TlsFiles files = pki.issue("server");
  files.key_file = (dir.path() / "missing.key").string();
  CHECK_THROWS_AS(HttpListener(cluster.node(1), https_on("127.0.0.1:0", files)),
                  std::runtime_error);
  // A CA without a certificate of its own would serve plain text.
  CHECK_THROWS_AS(HttpListener(cluster.node(1), https_on("127.0.0.1:0", trusting(pki))),
                  std::invalid_argument);
}

}  // namespace paxoskv::node_test

// An embedded replica serves the HTTP API itself when the program asks it to.
#include "paxoskv/http_listener.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "tests/node/embedded_cluster.h"

namespace paxoskv::node_test {

namespace {

// One request on a fresh connection that the server closes after answering.
std::string exchange(std::uint16_t port, const std::string& request) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string response;
  boost::system::error_code error;
  boost::asio::read(socket, boost::asio::dynamic_buffer(response), error);
  return response;
}

// The listener's open client connections, from its own /metrics (which counts the
// connection that asks).
int open_connections(std::uint16_t port) {
  const std::string metrics =
      exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string name = "\npaxoskv_http_open_connections ";
  const auto at = metrics.find(name);
  return at == std::string::npos ? -1 : std::stoi(metrics.substr(at + name.size()));
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

}  // namespace paxoskv::node_test

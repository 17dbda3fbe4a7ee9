// A node with client threads (Options::client_threads) serves its HTTP clients from them:
// what needs no consensus is answered while the replica's thread is busy, and connections
// still open when the node goes end with it, whatever the replica answered them.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "paxoskv/http_listener.h"
#include "tests/node/embedded_cluster.h"
#include "tests/node/http_exchange.h"

namespace paxoskv::node_test {

namespace {

using namespace std::chrono_literals;

// Keeps `node`'s replica thread busy for `duration` from when it returns (a callback of
// the node's runs there).
void hold_replica_thread(Node& node, std::chrono::milliseconds duration) {
  std::promise<void> holding;
  node.put("threads/other", "x", [&holding, duration](Result) {
    holding.set_value();
    std::this_thread::sleep_for(duration);
  });
  holding.get_future().wait();
}

}  // namespace

TEST_CASE("node: with client threads, a local read is answered while the replica's thread is busy",
          "[node]") {
  EmbeddedCluster cluster(3, 5s, /*client_threads=*/2);
  HttpListener listener(cluster.node(1), "127.0.0.1:0");
  REQUIRE(cluster.node(1).put("threads/key", "served").ok());

  hold_replica_thread(cluster.node(1), 2s);

  const auto start = std::chrono::steady_clock::now();
  const std::string response =
      exchange(listener.port(),
               "GET /v1/kv/threads/key?consistency=local HTTP/1.1\r\nHost: x\r\n"
               "Connection: close\r\n\r\n");
  const auto waited = std::chrono::steady_clock::now() - start;
  INFO(response);
  CHECK(response.starts_with("HTTP/1.1 200"));
  CHECK(response.find("\"value\":\"served\"") != std::string::npos);
  // Served from the replica's thread, it would have waited for the callback to end.
  CHECK(waited < 1s);
}

TEST_CASE("node: with client threads, a long poll open when the node goes ends with it", "[node]") {
  EmbeddedCluster cluster(3, 5s, /*client_threads=*/2);
  auto listener = std::make_unique<HttpListener>(cluster.node(1), "127.0.0.1:0");
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), listener->port()});
  // Waits for a version of a key nobody writes: the replica holds its callback.
  boost::asio::write(socket, boost::asio::buffer(std::string(
                                 "GET /v1/kv/threads/never?wait=0&timeout=60s HTTP/1.1\r\n"
                                 "Host: x\r\nConnection: close\r\n\r\n")));
  REQUIRE(eventually(5s, [&] {
    const std::string metrics =
        exchange(listener->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    return metrics.find("\npaxoskv_http_open_long_polls 1") != std::string::npos;
  }));

  // The replica answers the poll as it stops, on client threads that stop next.
  listener.reset();
  cluster.stop(1);
  std::string response;
  boost::system::error_code error;
  boost::asio::read(socket, boost::asio::dynamic_buffer(response), error);
  CHECK(error);  // the end of the connection, with or without the answer
  CHECK(cluster.node(2).put("threads/after", "ok").ok());
}

// GET /metrics needs the replica's counters, which only its thread may read: a scrape
// while that thread is busy must not hold a client thread meanwhile (with one, every
// other client would wait for the replica's thread as without client threads).
TEST_CASE(
    "node: with client threads, a /metrics scrape while the replica's thread is busy holds "
    "none of them",
    "[node]") {
  EmbeddedCluster cluster(3, 5s, /*client_threads=*/1);
  HttpListener listener(cluster.node(1), "127.0.0.1:0");
  REQUIRE(cluster.node(1).put("threads/key", "served").ok());

  hold_replica_thread(cluster.node(1), 2s);

  std::string metrics;
  std::thread scrape([&] {
    metrics =
        exchange(listener.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  });
  std::this_thread::sleep_for(200ms);  // the scrape reached the node and waits
  const auto start = std::chrono::steady_clock::now();
  const std::string response =
      exchange(listener.port(),
               "GET /v1/kv/threads/key?consistency=local HTTP/1.1\r\nHost: x\r\n"
               "Connection: close\r\n\r\n");
  const auto waited = std::chrono::steady_clock::now() - start;
  scrape.join();
  INFO(response);
  CHECK(response.starts_with("HTTP/1.1 200"));
  CHECK(waited < 1s);
  // The scrape is answered in full once the replica's thread is free.
  INFO(metrics);
  CHECK(metrics.starts_with("HTTP/1.1 200"));
  CHECK(metrics.find("\npaxoskv_http_open_connections ") != std::string::npos);
  CHECK(metrics.find("paxoskv_replica_id") != std::string::npos);
}

// GET /metrics waits on a client thread for the replica's thread (Node::metrics_text). A
// request that asks for it while the node stops posts its work behind the stop; the
// replica's thread, stopped before it got there, never runs it, and the node, which stops
// its client threads next, would wait for that one forever.
TEST_CASE("node: with client threads, a /metrics request that comes as the node stops ends",
          "[node]") {
  EmbeddedCluster cluster(3, 5s, /*client_threads=*/2);
  Node& node = cluster.node(1);
  auto listener = std::make_unique<HttpListener>(node, "127.0.0.1:0");
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), listener->port()});
  boost::asio::write(socket, boost::asio::buffer(std::string("GET /metrics HTTP/1.1\r\n")));
  // The connection reads a request: the listener's going leaves it to be answered (see
  // http_listener_test.cc).
  REQUIRE(eventually(5s, [&] { return open_connections(listener->port()) >= 2; }));
  std::this_thread::sleep_for(200ms);
  listener.reset();

  // The replica answers this long poll as it stops, on its thread, inside the stop. There,
  // the request's end arrives, and a put queues work on the replica's thread whose answer
  // holds that thread past the moment the node stops it.
  std::promise<void> stopping;
  std::promise<void> request_sent;
  auto sent = request_sent.get_future().share();
  node.wait("threads/never", 0, 60s, [&node, &stopping, sent](Result) {
    node.put("threads/after-stop", "x", std::nullopt,
             [](Result) { std::this_thread::sleep_for(1s); });
    stopping.set_value();
    sent.wait();
    std::this_thread::sleep_for(500ms);  // the client thread reads it, asks for metrics
  });

  std::promise<void> stopped;
  auto gone = stopped.get_future();
  std::thread([&cluster, stopped = std::move(stopped)]() mutable {
    cluster.stop(1);
    stopped.set_value();
  }).detach();
  stopping.get_future().wait();
  boost::asio::write(socket,
                     boost::asio::buffer(std::string("Host: x\r\nConnection: close\r\n\r\n")));
  request_sent.set_value();

  if (gone.wait_for(20s) != std::future_status::ready) {
    // The node cannot be left behind: it holds the cluster's state the test would unwind.
    std::fputs(
        "FAILED: the node did not stop within 20 s (a client thread waits for a replica "
        "thread that is gone)\n",
        stderr);
    std::_Exit(EXIT_FAILURE);
  }
  CHECK(cluster.node(2).put("threads/after", "ok").ok());
}

// Connections served at once by several client threads, each with requests of every kind
// sent back to back (pipelined), with authentication on: each connection gets its answers
// in the order of its requests, each the one its request asks for.
TEST_CASE(
    "node: with client threads, pipelined mixed requests on many connections are answered "
    "in order",
    "[node]") {
  EmbeddedCluster cluster(3, 5s, /*client_threads=*/4);
  const std::string root = "stress-root-token";
  HttpListener listener(
      cluster.node(1),
      HttpListenerOptions{.listen = "127.0.0.1:0", .tls = {}, .auth_root_token = root});
  const CreatedToken writer = cluster.node(1).create_token("writer", Role::readwrite, "stress/");
  REQUIRE(writer.result.ok());

  constexpr int kConnections = 6;
  constexpr int kRounds = 30;
  struct Expected {
    unsigned status;
    std::string contains;
  };
  std::vector<std::string> failures(kConnections);
  std::vector<std::thread> clients;
  for (int c = 0; c < kConnections; ++c) {
    clients.emplace_back([&, c] {
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket socket(io);
      socket.connect({boost::asio::ip::make_address("127.0.0.1"), listener.port()});
      boost::beast::flat_buffer buffer;
      const std::string as_writer = "Authorization: Bearer " + writer.token + "\r\n";
      const std::string as_root = "Authorization: Bearer " + root + "\r\n";
      for (int r = 0; r < kRounds && failures[c].empty(); ++r) {
        const std::string key = "stress/c" + std::to_string(c) + "/k" + std::to_string(r);
        const std::string value = "v" + std::to_string(c) + "-" + std::to_string(r);
        std::string requests;
        std::vector<Expected> expected;
        auto ask = [&](const std::string& head, const std::string& body, Expected answer) {
          requests += head + "Host: x\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\n\r\n" + body;
          expected.push_back(std::move(answer));
        };
        ask("PUT /v1/kv/" + key + " HTTP/1.1\r\n" + as_writer, value, {200, "\"version\":1"});
        ask("GET /v1/kv/" + key + " HTTP/1.1\r\n" + as_writer, "", {200, value});
        ask("GET /v1/kv/" + key + "?consistency=local HTTP/1.1\r\n" + as_root, "", {200, value});
        ask("GET /metrics HTTP/1.1\r\n", "", {200, "paxoskv_replica_id"});
        ask("GET /v1/status HTTP/1.1\r\n", "", {200, "\"members\""});
        ask("GET /v1/kv/" + key + "?wait=1&timeout=20ms HTTP/1.1\r\n" + as_writer, "",
            {200, value});
        ask("GET /v1/kv?prefix=stress/c" + std::to_string(c) + "/&wait=100000000&timeout=20ms " +
                "HTTP/1.1\r\n" + as_writer,
            "", {200, "\"changes\""});
        ask("GET /v1/kv/elsewhere/x HTTP/1.1\r\n" + as_writer, "", {403, "permission denied"});
        ask("GET /v1/kv/" + key + " HTTP/1.1\r\nAuthorization: Bearer not-a-token\r\n", "",
            {401, "unauthenticated"});
        ask("DELETE /v1/kv/" + key + "?cas=1 HTTP/1.1\r\n" + as_writer, "", {200, key});
        boost::asio::write(socket, boost::asio::buffer(requests));
        for (std::size_t i = 0; i < expected.size(); ++i) {
          boost::beast::http::response<boost::beast::http::string_body> response;
          boost::system::error_code error;
          boost::beast::http::read(socket, buffer, response, error);
          if (error || response.result_int() != expected[i].status ||
              response.body().find(expected[i].contains) == std::string::npos) {
            failures[c] = "connection " + std::to_string(c) + " round " + std::to_string(r) +
                          " answer " + std::to_string(i) + ": " +
                          (error ? error.message()
                                 : std::to_string(response.result_int()) + " " + response.body());
            return;
          }
        }
      }
    });
  }
  for (std::thread& client : clients) client.join();
  for (const std::string& failure : failures) {
    INFO(failure);
    CHECK(failure.empty());
  }
}

}  // namespace paxoskv::node_test

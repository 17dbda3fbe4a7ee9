// A real Server on 127.0.0.1, driven over raw TCP: framing, keep-alive, pipelining, limits,
// timeouts and malformed input.
#include "http/server.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/http/fake_backend.h"
#include "tests/http/raw_client.h"

namespace paxoskv::http {
namespace {

using boost::beast::http::status;
using nlohmann::json;
using testing::FakeBackend;
using testing::RawClient;
using namespace std::chrono_literals;

ServerLimits socket_limits() {
  ServerLimits limits;
  limits.max_value_bytes = 1024;
  limits.idle_timeout = 2s;
  limits.request_read_timeout = 300ms;
  limits.write_timeout = 2s;
  return limits;
}

class ServerFixture {
 public:
  explicit ServerFixture(ServerLimits limits = socket_limits()) : server_(io_, backend_, limits) {
    server_.listen("127.0.0.1:0");
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~ServerFixture() {
    server_.stop();
    io_.stop();
    for (auto& thread : threads_) thread.join();
  }
  ServerFixture(const ServerFixture&) = delete;
  ServerFixture& operator=(const ServerFixture&) = delete;

  std::uint16_t port() const { return server_.port(); }
  Server& server() { return server_; }
  FakeBackend& backend() { return backend_; }

 private:
  boost::asio::io_context io_;
  FakeBackend backend_{&io_};
  Server server_;
  std::vector<std::thread> threads_;
};

std::string request(std::string_view method, std::string_view target, std::string_view body = {},
                    std::string_view extra_headers = {}) {
  std::string text =
      std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n";
  text += extra_headers;
  if (!body.empty() || method == "PUT")
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  text += "\r\n";
  text += body;
  return text;
}

json body_of(const RawClient::Response& response) {
  return json::parse(response.body());
}

bool server_answers(std::uint16_t port) {
  RawClient client(port);
  client.send(request("GET", "/healthz"));
  const auto response = client.read_response();
  return response && response->result() == status::ok;
}

}  // namespace

TEST_CASE("a kept-alive connection serves request after request", "[http][server]") {
  ServerFixture fixture;
  RawClient client(fixture.port());
  client.send(request("PUT", "/v1/kv/k", "value"));
  auto put = client.read_response();
  REQUIRE(put);
  CHECK(put->result() == status::ok);
  CHECK(body_of(*put) == json{{"key", "k"}, {"version", 1}});
  CHECK(put->keep_alive());

  client.send(request("GET", "/v1/kv/k"));
  auto get = client.read_response();
  REQUIRE(get);
  CHECK(body_of(*get)["value"] == "value");
  CHECK((*get)["X-Paxoskv-Index"] == "1");
  CHECK((*get)["Server"] == "paxoskv");
  CHECK((*get)["X-Content-Type-Options"] == "nosniff");
  CHECK_FALSE(client.closed_within(100ms));
}

TEST_CASE("pipelined requests are answered in order", "[http][server]") {
  ServerFixture fixture;
  RawClient client(fixture.port());
  client.send(request("PUT", "/v1/kv/p", "1") + request("PUT", "/v1/kv/p", "2") +
              request("GET", "/v1/kv/p") + request("GET", "/nowhere") + request("GET", "/healthz"));
  CHECK(body_of(*client.read_response())["version"] == 1);
  CHECK(body_of(*client.read_response())["version"] == 2);
  CHECK(body_of(*client.read_response())["value"] == "2");
  CHECK(client.read_response()->result() == status::not_found);
  CHECK(client.read_response()->result() == status::ok);
}

TEST_CASE("HTTP/1.0 closes unless kept alive", "[http][server]") {
  ServerFixture fixture;
  {
    RawClient client(fixture.port());
    client.send("GET /healthz HTTP/1.0\r\n\r\n");
    auto response = client.read_response();
    REQUIRE(response);
    CHECK(response->version() == 10);
    CHECK(response->result() == status::ok);
    CHECK(client.closed_within(1s));
  }
  RawClient client(fixture.port());
  client.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  REQUIRE(client.read_response());
  client.send("GET /healthz HTTP/1.0\r\n\r\n");
  REQUIRE(client.read_response());
}

TEST_CASE("HEAD gets the headers of GET without a body", "[http][server]") {
  ServerFixture fixture;
  RawClient client(fixture.port());
  client.send(request("HEAD", "/healthz"));
  auto head = client.read_response(1s, true);
  REQUIRE(head);
  CHECK(head->result() == status::ok);
  CHECK(head->body().empty());
  CHECK((*head)["Content-Length"] == "15");  // {"status":"ok"}
  client.send(request("GET", "/healthz"));
  auto get = client.read_response();
  REQUIRE(get);
  CHECK(get->body() == R"({"status":"ok"})");
}

TEST_CASE("a malformed request is answered 400 and closed", "[http][server]") {
  ServerFixture fixture;
  for (std::string garbage : {"GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\n\r\n",
                              "GET / HTTP/1.1\r\nno colon here\r\n\r\n",
                              "PUT /v1/kv/k HTTP/1.1\r\nContent-Length: x\r\n\r\n",
                              "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"}) {
    INFO(garbage);
    RawClient client(fixture.port());
    client.send(garbage);
    auto response = client.read_response();
    REQUIRE(response);
    CHECK(response->result() == status::bad_request);
    CHECK(body_of(*response).contains("error"));
    CHECK(client.closed_within(1s));
  }
  CHECK(server_answers(fixture.port()));
}

TEST_CASE("an oversized header is refused", "[http][server]") {
  ServerFixture fixture;
  RawClient client(fixture.port());
  client.send(request("GET", "/healthz", {}, "X-Filler: " + std::string(10'000, 'x') + "\r\n"));
  auto response = client.read_response();
  REQUIRE(response);
  CHECK(response->result() == status::request_header_fields_too_large);
  CHECK(body_of(*response).contains("error"));
  CHECK(client.closed_within(1s));
  CHECK(server_answers(fixture.port()));
}

TEST_CASE("an oversized body is refused without reading it", "[http][server]") {
  ServerFixture fixture;
  SECTION("announced by Content-Length") {
    RawClient client(fixture.port());
    client.send("PUT /v1/kv/k HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\n");
    auto response = client.read_response();
    REQUIRE(response);
    CHECK(response->result() == status::payload_too_large);
    CHECK(body_of(*response).contains("error"));
    CHECK(client.closed_within(2s));
  }
  SECTION("chunked") {
    RawClient client(fixture.port());
    client.send("PUT /v1/kv/k HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string chunk = "200\r\n" + std::string(512, 'v') + "\r\n";
    client.send(chunk + chunk + chunk);
    auto response = client.read_response();
    REQUIRE(response);
    CHECK(response->result() == status::payload_too_large);
  }
  SECTION("a value at the limit is fine") {
    RawClient client(fixture.port());
    client.send(request("PUT", "/v1/kv/k", std::string(1024, 'v')));
    auto response = client.read_response();
    REQUIRE(response);
    CHECK(response->result() == status::ok);
  }
  CHECK(server_answers(fixture.port()));
}

TEST_CASE("Expect: 100-continue gets the go before the body", "[http][server]") {
  ServerFixture fixture;
  RawClient client(fixture.port());
  client.send(
      "PUT /v1/kv/k HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  auto go = client.read_response();
  REQUIRE(go);
  CHECK(go->result() == status::continue_);
  client.send("hello");
  auto put = client.read_response();
  REQUIRE(put);
  CHECK(put->result() == status::ok);
}

TEST_CASE("slow and idle connections are cut off", "[http][server]") {
  ServerLimits limits = socket_limits();
  limits.idle_timeout = 300ms;
  ServerFixture fixture(limits);

  SECTION("a request trickling in") {
    RawClient client(fixture.port());
    client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n");
    std::this_thread::sleep_for(100ms);
    client.send("X-Slow: 1\r\n");
    CHECK(client.closed_within(2s));
  }
  SECTION("a connection that never sends") {
    RawClient client(fixture.port());
    CHECK(client.closed_within(2s));
  }
  SECTION("an idle kept-alive connection") {
    RawClient client(fixture.port());
    client.send(request("GET", "/healthz"));
    REQUIRE(client.read_response());
    CHECK(client.closed_within(2s));
  }
  CHECK(server_answers(fixture.port()));
}

TEST_CASE("connections beyond the limit are closed at once", "[http][server]") {
  ServerLimits limits = socket_limits();
  limits.max_connections = 2;
  ServerFixture fixture(limits);
  auto first = std::make_unique<RawClient>(fixture.port());
  RawClient second(fixture.port());
  for (RawClient* client : {first.get(), &second}) {
    client->send(request("GET", "/healthz"));
    REQUIRE(client->read_response());
  }
  RawClient third(fixture.port());
  CHECK(third.closed_within(1s));

  first.reset();  // frees a place once the server notices
  bool answered = false;
  for (int attempt = 0; attempt < 50 && !answered; ++attempt) {
    RawClient client(fixture.port());
    client.send(request("GET", "/healthz"));
    answered = client.read_response(200ms).has_value();
  }
  CHECK(answered);
}

TEST_CASE("long polls answer on a change and at their timeout", "[http][server]") {
  ServerFixture fixture;
  RawClient writer(fixture.port());
  writer.send(request("PUT", "/v1/kv/watched", "one"));
  REQUIRE(writer.read_response());

  SECTION("a change wakes a key wait") {
    RawClient waiter(fixture.port());
    waiter.send(request("GET", "/v1/kv/watched?wait=1&timeout=10s"));
    CHECK_FALSE(waiter.read_response(200ms));
    writer.send(request("PUT", "/v1/kv/watched", "two"));
    REQUIRE(writer.read_response());
    auto woken = waiter.read_response();
    REQUIRE(woken);
    CHECK(body_of(*woken)["value"] == "two");
    CHECK(body_of(*woken)["version"] == 2);
  }
  SECTION("the timeout answers with the current state") {
    RawClient waiter(fixture.port());
    const auto started = std::chrono::steady_clock::now();
    waiter.send(request("GET", "/v1/kv/watched?wait=1&timeout=300ms"));
    auto answer = waiter.read_response();
    REQUIRE(answer);
    CHECK(std::chrono::steady_clock::now() - started >= 250ms);
    CHECK(body_of(*answer)["version"] == 1);
  }
  SECTION("a change under a prefix wakes a prefix wait") {
    RawClient waiter(fixture.port());
    waiter.send(request("GET", "/v1/kv?prefix=watch&wait=1&timeout=10s"));
    CHECK_FALSE(waiter.read_response(200ms));
    writer.send(request("DELETE", "/v1/kv/watched"));
    REQUIRE(writer.read_response());
    auto woken = waiter.read_response();
    REQUIRE(woken);
    CHECK((*woken)["X-Paxoskv-Index"] == "2");
    CHECK(body_of(*woken)["changes"][0]["deleted"] == true);
  }
}

TEST_CASE("a membership change is answered however long it takes", "[http][server][members]") {
  // Every deadline of the connection is far shorter than the change.
  ServerLimits limits = socket_limits();
  limits.idle_timeout = 200ms;
  limits.request_read_timeout = 200ms;
  limits.write_timeout = 200ms;
  ServerFixture fixture(limits);
  fixture.backend().set_member_change_delay(1200ms);

  RawClient adder(fixture.port());
  const auto started = std::chrono::steady_clock::now();
  adder.send(request("POST", "/v1/members", R"({"id":4,"peer_address":"127.0.0.1:9004"})"));
  RawClient remover(fixture.port());
  remover.send(request("DELETE", "/v1/members/2"));

  const auto added = adder.read_response(5s);
  REQUIRE(added);
  CHECK(std::chrono::steady_clock::now() - started >= 1s);
  CHECK(added->result() == status::ok);
  // The removal of 2 may have been applied first: only 4's presence is certain.
  const json added_body = body_of(*added);
  bool has_4 = false;
  for (const auto& member : added_body["members"]) has_4 = has_4 || member["id"] == 4;
  CHECK(has_4);
  const auto removed = remover.read_response(5s);
  REQUIRE(removed);
  CHECK(removed->result() == status::ok);
  CHECK(body_of(*removed)["retired"] == json::array({2}));
}

TEST_CASE("many long polls wait at once without threads", "[http][server]") {
  ServerFixture fixture;
  std::vector<std::unique_ptr<RawClient>> waiters;
  for (int i = 0; i < 200; ++i) {
    waiters.push_back(std::make_unique<RawClient>(fixture.port()));
    waiters.back()->send(request("GET", "/v1/kv/crowd?wait=0&timeout=10s"));
  }
  CHECK(server_answers(fixture.port()));
  RawClient writer(fixture.port());
  writer.send(request("PUT", "/v1/kv/crowd", "here"));
  REQUIRE(writer.read_response());
  for (auto& waiter : waiters) {
    auto answer = waiter->read_response();
    REQUIRE(answer);
    CHECK(body_of(*answer)["value"] == "here");
  }
}

TEST_CASE("stop closes idle connections and stops accepting", "[http][server]") {
  ServerFixture fixture;
  RawClient idle(fixture.port());
  idle.send(request("GET", "/healthz"));
  REQUIRE(idle.read_response());
  fixture.server().stop();
  CHECK(idle.closed_within(1s));
}

TEST_CASE("garbage never brings the server down", "[http][server]") {
  ServerFixture fixture;
  std::mt19937 random(20240611);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(1, 600);
  const std::vector<std::string> starts = {"", "GET ", "PUT /v1/kv/",
                                           "GET /v1/kv?prefix=", "GET /v1/kv/k HTTP/1.1\r\n"};
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 100; ++i) {
    std::string junk = starts[i % starts.size()];
    const int size = length(random);
    for (int k = 0; k < size; ++k) junk += static_cast<char>(byte(random));
    if (i % 3 == 0) junk += "\r\n\r\n";
    clients.push_back(std::make_unique<RawClient>(fixture.port()));
    clients.back()->send(junk);
  }
  for (auto& client : clients) client->closed_within(2s);
  CHECK(server_answers(fixture.port()));
}

TEST_CASE("listen refuses bad addresses", "[http][server]") {
  boost::asio::io_context io;
  FakeBackend backend;
  Server server(io, backend);
  CHECK_THROWS_AS(server.listen("no-port"), std::runtime_error);
  CHECK_THROWS_AS(server.listen("127.0.0.1:99999"), std::runtime_error);
  CHECK_THROWS_AS(server.listen("127.0.0.1:http"), std::runtime_error);
  CHECK(server.port() == 0);
  server.listen("[::1]:0");
  CHECK(server.port() != 0);
}

}  // namespace paxoskv::http

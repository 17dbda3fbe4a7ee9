// Malformed input at the process level: broken HTTP and bad API requests on the client
// port, garbage on the peer port. Every replica keeps serving and loses nothing.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "http/client/targets.h"
#include "http/encoding/percent_encoding.h"
#include "tests/e2e/eventually.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/kv_client.h"
#include "tests/e2e/raw_exchange.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {
namespace {

using namespace std::chrono_literals;
using boost::beast::http::verb;
using http::client::key_target;

// The status of a raw HTTP response ("HTTP/1.1 400 Bad Request..."), 0 if there is none.
int raw_status(const std::string& response) {
  if (!response.starts_with("HTTP/1.1 ") || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

std::string raw_body(const std::string& response) {
  const auto end_of_headers = response.find("\r\n\r\n");
  return end_of_headers == std::string::npos ? "" : response.substr(end_of_headers + 4);
}

bool is_error_json(const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  return json.is_object() && json.contains("error") && json["error"].is_string();
}

std::string printable(std::string_view bytes) {
  std::string text;
  for (const char c : bytes.substr(0, 200)) {
    text += (c >= 0x20 && c < 0x7F)
                ? std::string(1, c)
                : http::percent_encode(std::string(1, c), http::Slashes::escaped);
  }
  return text;
}

struct BadRequest {
  verb method;
  std::string target;
  int status;
  std::string body = {};
};

std::string random_bytes(std::size_t count, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(count, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random() & 0xFF);
  return bytes;
}

std::string frame_header(std::uint32_t length) {
  return {static_cast<char>(length >> 24), static_cast<char>((length >> 16) & 0xFF),
          static_cast<char>((length >> 8) & 0xFF), static_cast<char>(length & 0xFF)};
}

TEST_CASE("e2e: bad input is refused and breaks nothing", "[e2e]") {
  TestCluster cluster;
  KvClient writer(cluster.client_port(1));
  for (int i = 0; i < 20; ++i) {
    const auto reply = writer.put("kept/" + std::to_string(i), "value " + std::to_string(i));
    INFO(reply.describe());
    REQUIRE(reply.status == 200);
  }
  const std::uint16_t client_port = cluster.client_port(2);
  const std::uint16_t peer_port = cluster.peer_port(2);

  SECTION("well-formed HTTP, bad API requests: 4xx with a JSON error") {
    const std::string long_key(1025, 'k');
    const std::vector<BadRequest> requests = {
        {verb::get, "/v1/kv/%zz", 400},
        {verb::get, "/v1/kv/abc%4", 400},
        {verb::put, "/v1/kv/%G0", 400, "x"},
        {verb::get, "/v1/kv/", 400},
        {verb::put, "/v1/kv/nul%00byte", 400, "x"},
        {verb::get, "/v1/kv/" + long_key, 413},
        {verb::put, "/v1/kv/" + long_key, 413, "x"},
        {verb::delete_, "/v1/kv/" + long_key, 413},
        {verb::put, "/v1/kv/n?cas=abc", 400, "x"},
        {verb::put, "/v1/kv/n?cas=-1", 400, "x"},
        {verb::put, "/v1/kv/n?cas=1.5", 400, "x"},
        {verb::put, "/v1/kv/n?cas=0x10", 400, "x"},
        {verb::put, "/v1/kv/n?cas=", 400, "x"},
        {verb::put, "/v1/kv/n?cas=18446744073709551616", 400, "x"},
        {verb::put, "/v1/kv/n?cas=99999999999999999999999999", 400, "x"},
        {verb::put, "/v1/kv/n?cas=1&cas=2", 400, "x"},
        {verb::delete_, "/v1/kv/n?cas=x", 400},
        {verb::get, "/v1/kv/n?consistency=bogus", 400},
        {verb::get, "/v1/kv/n?raw=maybe", 400},
        {verb::get, "/v1/kv/n?wait=abc", 400},
        {verb::get, "/v1/kv/n?wait=1&timeout=forever", 400},
        {verb::get, "/v1/kv/n?wait=1&timeout=-1s", 400},
        {verb::get, "/v1/kv/n?%zz=1", 400},
        {verb::get, "/v1/kv?prefix=a&limit=abc", 400},
        {verb::get, "/v1/kv?prefix=a&limit=0", 400},
        {verb::get, "/v1/kv?prefix=a&limit=-5", 400},
        {verb::get, "/v1/kv?prefix=a&after=%00", 400},
        {verb::get, "/v1/kv?prefix=%zz", 400},
        {verb::get, "/v1/kv?prefix=" + long_key, 400},
        {verb::get, "/v1/kv?prefix=a&wait=nope", 400},
        {verb::post, "/v1/kv/n", 405, "x"},
        {verb::patch, "/v1/kv/n", 405, "x"},
        {verb::put, "/v1/kv", 405, "x"},
        {verb::delete_, "/healthz", 405},
        {verb::get, "/nowhere", 404},
        {verb::get, "/v2/kv/n", 404},
    };
    HttpClient client(client_port);
    for (const BadRequest& request : requests) {
      const auto response = client.request(request.method, request.target, request.body);
      INFO(std::string_view(boost::beast::http::to_string(request.method))
           << " " << printable(request.target));
      REQUIRE(response);
      INFO(response->status << " " << response->body);
      CHECK(response->status == request.status);
      CHECK(is_error_json(response->body));
      if (request.status == 405) CHECK(response->header("Allow").has_value());
    }
  }

  SECTION("values at and above the size limit") {
    HttpClient client(client_port, 20s);
    const std::string largest(1 << 20, 'v');
    const auto fits = client.put(key_target("big"), largest);
    REQUIRE(fits);
    CHECK(fits->status == 200);
    const auto too_large = client.put(key_target("bigger"), largest + "v");
    REQUIRE(too_large);
    CHECK(too_large->status == 413);
    CHECK(is_error_json(too_large->body));
    KvClient reader(cluster.client_port(3), 20s);
    const auto read = reader.get("big");
    CHECK(read.value == largest);
    CHECK(reader.get("bigger").status == 404);
  }

  SECTION("broken HTTP: a 4xx JSON error or a closed connection, never a success") {
    std::string many_headers = "GET /healthz HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 2000; ++i) many_headers += "X-H" + std::to_string(i) + ": v\r\n";
    many_headers += "\r\n";
    const std::vector<std::string> broken = {
        "GARBAGE\r\n\r\n",
        random_bytes(4096, 1),
        std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + random_bytes(64, 2),
        "GET /v1/kv/x HTTP/9.9\r\nHost: a\r\n\r\n",
        "GET /v1/kv/x\r\n\r\n",
        "GET  HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /v1/kv/x HTTP/1.1\r\nHost: a\r\nNo colon here\r\n\r\n",
        "GET /v1/kv/x HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
        "PUT /v1/kv/x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "PUT /v1/kv/x HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\nab",
        "PUT /v1/kv/x HTTP/1.1\r\nHost: a\r\nContent-Length: 4000000\r\n\r\nab",
        "PUT /v1/kv/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
        "chunked\r\n\r\nZZ\r\nhello\r\n0\r\n\r\n",
        "PUT /v1/kv/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "FFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n",
        "GET /v1/kv/x HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(16 * 1024, 'a') + "\r\n\r\n",
        many_headers,
        "GET /" + std::string(20 * 1024, 'p') + " HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /v1/kv/x HTT",  // cut short, then silence
        "PUT /v1/kv/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc",  // body cut short
    };
    for (const std::string& bytes : broken) {
      const RawReply reply = raw_exchange(client_port, bytes, 1500ms);
      INFO("sent: " << printable(bytes));
      INFO("got: " << printable(reply.received));
      REQUIRE(reply.connected);
      const int status = raw_status(reply.received);
      if (status != 0) {
        CHECK(status >= 400);
        CHECK(status < 500);
        CHECK(is_error_json(raw_body(reply.received)));
      } else {
        CHECK(reply.received.empty());
      }
    }
  }

  SECTION("garbage, a huge length prefix and truncated frames on the peer port") {
    const std::vector<std::string> frames = {
        random_bytes(4096, 3),
        frame_header(0xFFFFFFFF) + random_bytes(100, 4),
        frame_header(0x7FFFFFFF) + random_bytes(100, 5),
        frame_header(100) + random_bytes(10, 6),  // the rest never comes
        frame_header(0),
        frame_header(12) + std::string(12, '\0'),
        frame_header(12) + std::string(12, '\xFF'),
        std::string("\x00\x00", 2),  // half a header
    };
    for (const std::string& bytes : frames) {
      INFO("sent: " << printable(bytes));
      const RawReply reply = raw_exchange(peer_port, bytes, 1500ms);
      REQUIRE(reply.connected);
      // Nothing a peer says makes sense here: no answer is owed; the connection goes away.
      CHECK(reply.received.empty());
    }
    // Many at once.
    std::vector<std::jthread> floods;
    for (std::uint32_t i = 0; i < 16; ++i) {
      floods.emplace_back([&, i] { raw_exchange(peer_port, random_bytes(65536, 100 + i), 1s); });
    }
  }

  // Whatever came before: every replica still serves, still has everything, and the
  // cluster still reaches a majority.
  for (const int id : cluster.ids()) {
    INFO("replica " << id);
    KvClient reader(cluster.client_port(id));
    for (int i = 0; i < 20; ++i) {
      const auto reply = reader.get("kept/" + std::to_string(i));
      INFO(reply.describe());
      CHECK(reply.value == "value " + std::to_string(i));
    }
    const auto write = reader.put("after-bad-input/" + std::to_string(id), "fine");
    INFO(write.describe());
    CHECK(write.status == 200);
  }
  INFO(cluster.unexpected_exits());
  CHECK(cluster.unexpected_exits().empty());
}

}  // namespace
}  // namespace paxoskv::e2e

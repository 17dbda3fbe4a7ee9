#include <catch2/catch.hpp>
#include <string>

#include "tools/bench/etcd_protocol.h"
#include "tools/bench/json_scan.h"
#include "tools/bench/paxoskv_protocol.h"

using namespace paxoskv::bench;

TEST_CASE("json_scan finds member values, never text inside strings", "[protocol]") {
  REQUIRE(find_json_uint(R"({"key":"a","version":42})", "version") == 42u);
  REQUIRE(find_json_uint(R"({"kvs":[{"version" : "7"}]})", "version") == 7u);
  REQUIRE(find_json_uint(R"({"key":"\"version\":9","version":3})", "version") == 3u);
  REQUIRE_FALSE(find_json_uint(R"({"header":{"revision":"5"}})", "version"));
  REQUIRE(find_json_true(R"({"header":{},"succeeded":true})", "succeeded"));
  REQUIRE_FALSE(find_json_true(R"({"header":{}})", "succeeded"));
}

TEST_CASE("paxoskv requests and answers", "[protocol]") {
  const PaxoskvProtocol protocol;
  RequestText request;
  protocol.format_put(request, "127.0.0.1:8001", "bench/a b", "value");
  REQUIRE(request.head ==
          "PUT /v1/kv/bench/a%20b HTTP/1.1\r\nHost: 127.0.0.1:8001\r\nContent-Length: 5\r\n\r\n");
  REQUIRE(request.shared_body == "value");
  protocol.format_get(request, "h:1", "k", true);
  REQUIRE(request.head == "GET /v1/kv/k?consistency=local HTTP/1.1\r\nHost: h:1\r\n\r\n");
  protocol.format_cas(request, "h:1", "k", 4, "5");
  REQUIRE(request.head.starts_with("PUT /v1/kv/k?cas=4 HTTP/1.1\r\n"));
  REQUIRE(request.body == "5");

  REQUIRE(protocol.get_outcome({200, R"({"key":"k","value":"v","version":4})"}).version == 4);
  REQUIRE(protocol.get_outcome({404, R"({"error":"not found","version":2})"}).outcome ==
          Outcome::not_found);
  REQUIRE(protocol.cas_outcome({409, "{}"}) == Outcome::conflict);
  REQUIRE(protocol.put_outcome({503, "{}"}) == Outcome::failed);

  protocol.format_delete(request, "h:1", "k");
  REQUIRE(request.head == "DELETE /v1/kv/k HTTP/1.1\r\nHost: h:1\r\n\r\n");
  REQUIRE(request.buffers()[1].size() == 0);
  REQUIRE(protocol.delete_outcome({200, R"({"version":3})"}) == Outcome::ok);
  REQUIRE(protocol.delete_outcome({404, R"({"error":"not found"})"}) == Outcome::not_found);
  REQUIRE(protocol.delete_outcome({503, "{}"}) == Outcome::failed);
}

TEST_CASE("etcd requests and answers", "[protocol]") {
  const EtcdProtocol protocol;
  RequestText request;
  protocol.format_get(request, "h:1", "foo", true);
  REQUIRE(request.body == R"({"key":"Zm9v","serializable":true})");
  REQUIRE(request.head.starts_with("POST /v3/kv/range HTTP/1.1\r\n"));
  protocol.format_cas(request, "h:1", "foo", 0, "1");
  REQUIRE(request.body ==
          R"({"compare":[{"key":"Zm9v","target":"VERSION","result":"EQUAL","version":"0"}],)"
          R"("success":[{"request_put":{"key":"Zm9v","value":"MQ=="}}]})");

  REQUIRE(protocol.get_outcome({200, R"({"header":{"revision":"9"}})"}).outcome ==
          Outcome::not_found);
  const auto found =
      protocol.get_outcome({200, R"({"header":{},"kvs":[{"mod_revision":"8","version":"3"}]})"});
  REQUIRE(found.outcome == Outcome::ok);
  REQUIRE(found.version == 3);
  REQUIRE(protocol.cas_outcome({200, R"({"header":{},"succeeded":true})"}) == Outcome::ok);
  REQUIRE(protocol.cas_outcome({200, R"({"header":{}})"}) == Outcome::conflict);

  protocol.format_delete(request, "h:1", "foo");
  REQUIRE(request.body == R"({"key":"Zm9v"})");
  REQUIRE(request.head.starts_with("POST /v3/kv/deleterange HTTP/1.1\r\n"));
  REQUIRE(protocol.delete_outcome({200, R"({"header":{},"deleted":"1"})"}) == Outcome::ok);
  REQUIRE(protocol.delete_outcome({200, R"({"header":{"revision":"9"}})"}) == Outcome::not_found);
}

#include "tools/ctl/output.h"

#include <catch2/catch.hpp>

#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {
namespace {

using namespace std::string_literals;

TEST_CASE("entries: text and base64 fields") {
  const Entry text = entry_from_json(
      Json::parse(R"({"key":"config/app/db","value":"postgres://db","version":3})"));
  CHECK(text.key == "config/app/db");
  CHECK(text.value == "postgres://db");
  CHECK(text.version == 3);
  CHECK_FALSE(text.index);

  const Entry binary = entry_from_json(
      Json::parse(R"({"key_base64":"/w==","value_base64":"AP8=","version":1,"index":12})"));
  CHECK(binary.key == "\xFF");
  CHECK(binary.value == "\x00\xFF"s);
  CHECK(binary.index == 12u);

  const Entry absent =
      entry_from_json(Json::parse(R"({"error":"not found","key":"k","version":4})"));
  CHECK_FALSE(absent.value);
  CHECK(absent.version == 4);
}

TEST_CASE("malformed entries are errors, not crashes") {
  CHECK_THROWS_AS(entry_from_json(Json::parse(R"({"value":"v","version":1})")), CtlError);
  CHECK_THROWS_AS(entry_from_json(Json::parse(R"({"key":1,"version":1})")), CtlError);
  CHECK_THROWS_AS(entry_from_json(Json::parse(R"({"key":"k","value_base64":"*","version":1})")),
                  CtlError);
  CHECK_THROWS_AS(entry_from_json(Json::parse(R"({"key":"k","version":-1})")), CtlError);
  CHECK_THROWS_AS(entry_from_json(Json::parse(R"([1])")), CtlError);
}

TEST_CASE("human lines print raw bytes") {
  const Entry entry{"a/b", "line1\nline2", 7, std::nullopt};
  CHECK(list_line(entry) == "a/b = line1\nline2 (v7)\n");
  CHECK(key_change_line(entry) == "v7 line1\nline2\n");
  CHECK(prefix_change_line(entry, 42) == "42 a/b v7 line1\nline2\n");

  const Entry deleted{"a/b", std::nullopt, 8, std::nullopt};
  CHECK(key_change_line(deleted) == "v8 <deleted>\n");
  CHECK(prefix_change_line(deleted, 43) == "43 a/b v8 <deleted>\n");

  const Entry binary{"\xFF", "\x00\x01"s, 1, std::nullopt};
  CHECK(list_line(binary) == "\xFF = \x00\x01 (v1)\n"s);
}

TEST_CASE("JSON changes keep the API's fields and say whether deleted") {
  const Json put =
      change_json(Json::parse(R"({"key":"k","value_base64":"/w==","version":2,"extra":1})"), false);
  CHECK(put == Json::parse(R"({"key":"k","value_base64":"/w==","version":2,"deleted":false})"));
  const Json gone =
      change_json(Json::parse(R"({"error":"not found","key":"k","version":3})"), true);
  CHECK(gone == Json::parse(R"({"key":"k","version":3,"deleted":true})"));
}

TEST_CASE("printable escapes what a terminal should not get raw") {
  CHECK(printable("config/app") == "config/app");
  CHECK(printable("a\nb\\\xFF") == "a\\x0Ab\\\\\\xFF");
}

TEST_CASE("status table") {
  const Json up = Json::parse(R"({"id":1,"members":[
      {"id":1,"peer_address":"127.0.0.1:9001","reachable":true,"self":true},
      {"id":2,"peer_address":"127.0.0.1:9002","reachable":true,"self":false},
      {"id":3,"peer_address":"127.0.0.1:9003","reachable":false,"self":false}],
      "reachable":2,"quorum":2,"has_quorum":true,"index":17,"config_version":0,"removed":false})");
  const Json joint = Json::parse(R"({"id":2,"members":[
      {"id":1,"peer_address":"127.0.0.1:9001","reachable":true,"self":false},
      {"id":2,"peer_address":"127.0.0.1:9002","reachable":true,"self":true},
      {"id":4,"peer_address":"127.0.0.1:9004","reachable":false,"self":false}],
      "leaving":[{"id":3,"peer_address":"127.0.0.1:9003","reachable":true,"self":false}],
      "reachable":3,"quorum":2,"has_quorum":true,"index":18,"config_version":1,"removed":false})");
  const Json removed = Json::parse(R"({"id":5,"members":[],"reachable":1,"quorum":1,
      "has_quorum":false,"index":3,"config_version":4,"removed":true})");
  const std::vector<EndpointStatus> rows = {
      {"127.0.0.1:8001", up, ""},
      {"127.0.0.1:8002", joint, ""},
      {"127.0.0.1:8003", std::nullopt, "cannot connect: Connection refused"},
      {"127.0.0.1:8005", removed, ""},
  };
  CHECK(status_table(rows) ==
        "ENDPOINT        ID  QUORUM     INDEX  CONFIG  MEMBERS\n"
        "127.0.0.1:8001  1   yes (2/3)  17     0       1:self 2:up 3:down\n"
        "127.0.0.1:8002  2   yes (3/3)  18     1       1:up 2:self 4:down leaving 3:up\n"
        "127.0.0.1:8003  -   -          -      -       cannot connect: Connection refused\n"
        "127.0.0.1:8005  5   removed    3      4       \n");
  const Json json = status_json(rows);
  CHECK(json[0]["endpoint"] == "127.0.0.1:8001");
  CHECK(json[0]["status"]["index"] == 17);
  CHECK(json[2]["error"] == "cannot connect: Connection refused");
  CHECK_FALSE(json[2].contains("status"));
}

TEST_CASE("member list table") {
  const Json settled = Json::parse(R"({"members":[{"id":1,"peer_address":"127.0.0.1:9001"},
      {"id":2,"peer_address":"127.0.0.1:9002"},{"id":4,"peer_address":"127.0.0.1:9004"}],
      "config_version":4,"retired":[3]})");
  CHECK(members_table(settled) ==
        "ID  PEER_ADDRESS    STATE\n"
        "1   127.0.0.1:9001  member\n"
        "2   127.0.0.1:9002  member\n"
        "4   127.0.0.1:9004  member\n"
        "config version 4; retired ids (never reused): 3\n");

  const Json changing = Json::parse(R"({"members":[{"id":1,"peer_address":"a:1"},
      {"id":4,"peer_address":"d:1"}],"leaving":[{"id":1,"peer_address":"a:1"},
      {"id":3,"peer_address":"c:1"}],"config_version":5,"retired":[]})");
  CHECK(members_table(changing) ==
        "ID  PEER_ADDRESS  STATE\n"
        "1   a:1           member\n"
        "4   d:1           joining\n"
        "3   c:1           leaving\n"
        "config version 5 (a change is running)\n");

  for (const char* malformed :
       {R"([1])", R"({"config_version":1})", R"({"members":[{"id":"1","peer_address":"a:1"}]})",
        R"({"members":[{"id":1}]})", R"({"members":[],"leaving":3})"}) {
    CAPTURE(malformed);
    CHECK_THROWS_AS(members_table(Json::parse(malformed)), CtlError);
  }
}

}  // namespace
}  // namespace paxoskv::ctl

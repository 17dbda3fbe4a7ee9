#include "http/client/answers.h"

#include <catch2/catch.hpp>

namespace paxoskv::http::client {
namespace {

using Json = nlohmann::json;

TEST_CASE("number headers", "[http][client]") {
  Response response;
  response.set("X-Paxoskv-Index", "42");
  response.set("X-Paxoskv-Version", "4x");
  CHECK(number_header(response, "x-paxoskv-index") == 42u);
  CHECK_FALSE(number_header(response, "X-Paxoskv-Version"));
  CHECK_FALSE(number_header(response, "X-Other"));
}

TEST_CASE("bytes fields: text, base64, absent", "[http][client]") {
  const Json object = Json::parse(R"({"key":"k","value_base64":"AP8=","version":1})");
  CHECK(bytes_field(object, "key") == "k");
  CHECK(bytes_field(object, "value") == std::string("\x00\xff", 2));
  CHECK_FALSE(bytes_field(object, "other"));
}

TEST_CASE("bytes fields that are malformed", "[http][client]") {
  CHECK_THROWS_WITH(bytes_field(Json::parse(R"({"value":1})"), "value"), "bad value");
  CHECK_THROWS_WITH(bytes_field(Json::parse(R"({"value_base64":"*"})"), "value"),
                    "bad value_base64");
  CHECK_THROWS_AS(bytes_field(Json::parse(R"({"key_base64":7})"), "key"), MalformedAnswer);
}

}  // namespace
}  // namespace paxoskv::http::client

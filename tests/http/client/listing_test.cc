#include "http/client/listing.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "http/client/answers.h"

namespace paxoskv::http::client {
namespace {

using nlohmann::json;

// A listing served from `items` in pages of at most the asked limit, recording targets.
struct FakeListing {
  std::vector<json> items;
  std::vector<std::string> targets;

  std::optional<json> page(const std::string& target) {
    targets.push_back(target);
    std::size_t start = 0;
    if (const auto at = target.find("after="); at != std::string::npos) {
      const std::string after = target.substr(at + 6, target.find('&', at) - at - 6);
      while (start < items.size() && items[start].value("key", "") != after &&
             items[start].value("key_base64", "") != "YQE=") {
        ++start;
      }
      ++start;
    }
    const auto limit_at = target.find("limit=") + 6;
    const std::size_t limit = std::stoul(target.substr(limit_at, target.find('&', limit_at)));
    json body = {{"items", json::array()}, {"more", false}};
    for (std::size_t i = start; i < items.size(); ++i) {
      if (body["items"].size() == limit) {
        body["more"] = true;
        break;
      }
      body["items"].push_back(items[i]);
    }
    return body;
  }
};

std::vector<std::string> listed_keys(FakeListing& fake, const ListingPages& pages) {
  std::vector<std::string> keys;
  const bool complete = list_pages(
      pages, [&](const std::string& target) { return fake.page(target); },
      [&](const json& item) { keys.push_back(bytes_field(item, "key").value_or("?")); });
  CHECK(complete);
  return keys;
}

TEST_CASE("listing: pages follow the last key until there is no more", "[client]") {
  FakeListing fake;
  for (const char* key : {"p/a", "p/b", "p/c", "p/d", "p/e"}) {
    fake.items.push_back({{"key", key}, {"value", "v"}, {"version", 1}});
  }
  CHECK(listed_keys(fake, {"p/", 2, std::nullopt}) ==
        std::vector<std::string>{"p/a", "p/b", "p/c", "p/d", "p/e"});
  REQUIRE(fake.targets.size() == 3);
  CHECK(fake.targets[0] == "/v1/kv?prefix=p/&limit=2");
  CHECK(fake.targets[1] == "/v1/kv?prefix=p/&limit=2&after=p/b");
  CHECK(fake.targets[2] == "/v1/kv?prefix=p/&limit=2&after=p/d");
}

TEST_CASE("listing: a limit asks for no more than it needs and stops there", "[client]") {
  FakeListing fake;
  for (const char* key : {"a", "b", "c", "d", "e"}) fake.items.push_back({{"key", key}});
  CHECK(listed_keys(fake, {"", 2, 3}) == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(fake.targets.size() == 2);
  CHECK(fake.targets[1].find("limit=1") != std::string::npos);
}

TEST_CASE("listing: a key that is not UTF-8 is followed by its bytes", "[client]") {
  FakeListing fake;
  fake.items.push_back({{"key_base64", "YQE="}});  // the bytes a, 0x01
  fake.items.push_back({{"key", "b"}});
  const auto keys = listed_keys(fake, {"", 1, std::nullopt});
  REQUIRE(keys.size() == 2);
  CHECK(keys[0] == std::string("a\x01", 2));
  CHECK(fake.targets[1].find("after=a%01") != std::string::npos);
}

TEST_CASE("listing: a page that does not come, or an item without a key, ends it", "[client]") {
  int visited = 0;
  CHECK_FALSE(list_pages(
      {"", 10, std::nullopt}, [](const std::string&) { return std::optional<json>(); },
      [&](const json&) { ++visited; }));
  CHECK(visited == 0);
  const auto keyless = [](const std::string&) {
    return std::optional<json>(json{{"items", json::array({json{{"value", "v"}}})}});
  };
  CHECK_THROWS_AS(list_pages({"", 10, std::nullopt}, keyless, [](const json&) {}), MalformedAnswer);
}

}  // namespace
}  // namespace paxoskv::http::client

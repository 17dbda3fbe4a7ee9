// The web console at /ui/: its files as built into the binary (byte for byte the files of
// http/ui/, each with its content type and ETag), the headers that hold the page to them
// (Content-Security-Policy), the redirect, 404 and 304, and that with authentication on the
// files load without a token while the API still needs one.
#include "http/console.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "http/router.h"
#include "tests/http/auth_fixture.h"
#include "tests/http/fake_backend.h"

namespace paxoskv::http {
namespace {

using boost::beast::http::field;
using boost::beast::http::status;
using boost::beast::http::verb;

const std::filesystem::path ui_dir = PAXOSKV_UI_DIR;

std::string file_text(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  REQUIRE(file);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

class ConsoleFixture {
 public:
  Response call(verb method, std::string target, std::string if_none_match = {}) {
    Request request{method, target, 11};
    if (!if_none_match.empty()) request.set(field::if_none_match, if_none_match);
    std::optional<Response> response;
    router.handle(std::move(request), [&response](Router::Answer answer) { response = answer(); });
    REQUIRE(response);
    return std::move(*response);
  }

  testing::FakeBackend backend;
  HttpMetrics metrics;
  Router router{backend, ServerLimits{}, metrics};
};

void require_console_headers(const Response& response) {
  CHECK(response["Content-Security-Policy"] == console_security_policy);
  CHECK(response["X-Content-Type-Options"] == "nosniff");
  CHECK(response[field::cache_control] == "no-cache");
}

}  // namespace

TEST_CASE("every file of http/ui/ is built in, byte for byte, with its content type",
          "[http][console]") {
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(ui_dir)) {
    on_disk.insert(entry.path().filename().string());
  }
  std::set<std::string> built_in;
  for (const UiAsset& asset : ui_assets()) {
    INFO(asset.name);
    built_in.insert(std::string(asset.name));
    CHECK(asset.bytes == file_text(ui_dir / std::string(asset.name)));
    CHECK(asset.etag.size() > 2);
    CHECK(asset.etag.front() == '"');
    CHECK(asset.etag.back() == '"');
    const std::string extension = std::filesystem::path(std::string(asset.name)).extension();
    const std::string expected = extension == ".html"  ? "text/html; charset=utf-8"
                                 : extension == ".css" ? "text/css; charset=utf-8"
                                 : extension == ".js"  ? "text/javascript; charset=utf-8"
                                                       : "?";
    CHECK(asset.content_type == expected);
  }
  // A file added to http/ui/ but not to the build's list would be missing from the binary.
  CHECK(built_in == on_disk);
  CHECK(built_in.contains("index.html"));
}

TEST_CASE("the console's pages hold nothing a strict Content-Security-Policy forbids",
          "[http][console]") {
  // No inline script or style, no event-handler attributes, no javascript: URLs; scripts
  // build the page from text nodes, never from markup or eval.
  const std::regex inline_script(R"(<script(?![^>]*\bsrc=)[^>]*>)", std::regex::icase);
  const std::regex handler_attribute(R"(<[^>]+\son[a-z]+\s*=)", std::regex::icase);
  for (const UiAsset& asset : ui_assets()) {
    INFO(asset.name);
    const std::string text(asset.bytes);
    if (asset.name.ends_with(".html")) {
      CHECK_FALSE(std::regex_search(text, inline_script));
      CHECK_FALSE(std::regex_search(text, handler_attribute));
      CHECK(text.find("<style") == std::string::npos);
      CHECK(text.find("style=") == std::string::npos);
      CHECK(text.find("javascript:") == std::string::npos);
    }
    if (asset.name.ends_with(".js")) {
      CHECK(text.find("innerHTML") == std::string::npos);
      CHECK(text.find("outerHTML") == std::string::npos);
      CHECK(text.find("insertAdjacentHTML") == std::string::npos);
      CHECK(text.find("document.write") == std::string::npos);
      CHECK(text.find("eval(") == std::string::npos);
      CHECK(text.find("new Function") == std::string::npos);
    }
  }
}

TEST_CASE_METHOD(ConsoleFixture, "/ui/ serves the page and its files with a strict policy",
                 "[http][console]") {
  const Response page = call(verb::get, "/ui/");
  CHECK(page.result() == status::ok);
  CHECK(page[field::content_type] == "text/html; charset=utf-8");
  CHECK(page.body() == file_text(ui_dir / "index.html"));
  CHECK(page[field::etag] == find_ui_asset("index.html")->etag);
  require_console_headers(page);
  CHECK(std::string(page["Content-Security-Policy"]).starts_with("default-src 'self'"));
  CHECK(std::string(page["Content-Security-Policy"]).find("unsafe") == std::string::npos);

  const Response script = call(verb::get, "/ui/app.js");
  CHECK(script.result() == status::ok);
  CHECK(script[field::content_type] == "text/javascript; charset=utf-8");
  CHECK(script.body() == file_text(ui_dir / "app.js"));
  require_console_headers(script);

  const Response style = call(verb::get, "/ui/console.css?v=2");
  CHECK(style.result() == status::ok);
  CHECK(style[field::content_type] == "text/css; charset=utf-8");

  CHECK(call(verb::head, "/ui/index.html").result() == status::ok);
  CHECK(metrics.render().find("route=\"console\",code=\"200\"") != std::string::npos);
}

TEST_CASE_METHOD(ConsoleFixture, "/ui redirects; an unknown file is a JSON 404; a write is 405",
                 "[http][console]") {
  const Response redirect = call(verb::get, "/ui");
  CHECK(redirect.result() == status::moved_permanently);
  CHECK(redirect[field::location] == "/ui/");

  for (const char* target :
       {"/ui/nothing.js", "/ui/../v1/kv/x", "/ui/sub/app.js", "/ui/%61pp.js"}) {
    INFO(target);
    const Response missing = call(verb::get, target);
    CHECK(missing.result() == status::not_found);
    CHECK(missing[field::content_type] == "application/json");
    CHECK(nlohmann::json::parse(missing.body()).contains("error"));
  }
  // Only /ui and what is under /ui/ is the console's.
  const Response elsewhere = call(verb::get, "/uix");
  CHECK(elsewhere.result() == status::not_found);
  CHECK(nlohmann::json::parse(elsewhere.body())["error"] == "no such endpoint");

  const Response post = call(verb::post, "/ui/");
  CHECK(post.result() == status::method_not_allowed);
  CHECK(post[field::allow] == "GET, HEAD");
  CHECK(call(verb::put, "/ui/app.js").result() == status::method_not_allowed);
}

TEST_CASE_METHOD(ConsoleFixture, "a file the browser holds is answered 304 by its ETag",
                 "[http][console]") {
  const std::string etag(find_ui_asset("app.js")->etag);
  const Response same = call(verb::get, "/ui/app.js", etag);
  CHECK(same.result() == status::not_modified);
  CHECK(same.body().empty());
  CHECK(same[field::etag] == etag);
  require_console_headers(same);
  CHECK(call(verb::get, "/ui/app.js", "W/" + etag + ", \"other\"").result() ==
        status::not_modified);
  const Response changed = call(verb::get, "/ui/app.js", "\"an-older-version\"");
  CHECK(changed.result() == status::ok);
  CHECK(changed.body() == file_text(ui_dir / "app.js"));
}

TEST_CASE_METHOD(
    testing::AuthFixture,
    "with authentication on, the console loads without a token, its API calls need one",
    "[http][console][auth]") {
  CHECK(call(verb::get, "/ui/", "").result() == status::ok);
  CHECK(call(verb::get, "/ui/app.js", "").result() == status::ok);
  CHECK(call(verb::get, "/ui", "").result() == status::moved_permanently);
  CHECK(call(verb::get, "/ui/app.js", "pkv_not-a-token").result() == status::ok);
  CHECK(call(verb::get, "/v1/kv?prefix=app/", "").result() == status::unauthorized);
  CHECK(call(verb::get, "/v1/kv/app/a", "").result() == status::unauthorized);
  CHECK(call(verb::get, "/v1/kv/app/a", testing::read_token).result() == status::ok);
  CHECK(call(verb::get, "/v1/kv/other", testing::read_token).result() == status::forbidden);
}

}  // namespace paxoskv::http

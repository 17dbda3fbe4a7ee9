// The web console served by real replicas: the page and its files on every replica's client
// port with their content types and Content-Security-Policy, /ui redirecting to /ui/, an
// unknown file a JSON 404, and, with authentication on, the files loading without a token
// while the API calls the page makes still need one.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "tests/e2e/http_client.h"
#include "tests/e2e/temp_dir.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {
namespace {

constexpr std::string_view kRootToken = "e2e-console-root-token";

}  // namespace

TEST_CASE("e2e: every replica serves the console; with tokens on, only its API calls need one",
          "[e2e][console]") {
  TempDir secrets("paxoskv-e2e-console");
  const auto root_file = secrets.path() / "root-token";
  std::ofstream(root_file) << kRootToken << "\n";
  ClusterOptions options;
  options.extra_flags = {"--auth-root-token-file", root_file.string()};
  TestCluster cluster(options);

  for (int id : cluster.ids()) {
    INFO("replica " << id);
    HttpClient anonymous(cluster.client_port(id));
    const auto page = anonymous.get("/ui/");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->header("Content-Type") == "text/html; charset=utf-8");
    const auto policy = page->header("Content-Security-Policy");
    REQUIRE(policy);
    CHECK(policy->starts_with("default-src 'self'; script-src 'self'; style-src 'self'"));
    CHECK(page->body.find("<script type=\"module\" src=\"app.js\"></script>") != std::string::npos);
    const auto etag = page->header("ETag");
    REQUIRE(etag);

    for (const std::string name : {"app.js", "api.js", "keys.js", "charts.js"}) {
      const auto script = anonymous.get("/ui/" + name);
      REQUIRE(script);
      CHECK(script->status == 200);
      CHECK(script->header("Content-Type") == "text/javascript; charset=utf-8");
      CHECK(script->header("Content-Security-Policy") == policy);
    }
    const auto style = anonymous.get("/ui/console.css");
    REQUIRE(style);
    CHECK(style->header("Content-Type") == "text/css; charset=utf-8");

    const auto redirect = anonymous.get("/ui");
    REQUIRE(redirect);
    CHECK(redirect->status == 301);
    CHECK(redirect->header("Location") == "/ui/");

    const auto missing = anonymous.get("/ui/missing.js");
    REQUIRE(missing);
    CHECK(missing->status == 404);
    CHECK(missing->json().contains("error"));

    // The API behind the page: a token is needed, the root's does.
    const auto refused = anonymous.get("/v1/kv?prefix=");
    REQUIRE(refused);
    CHECK(refused->status == 401);
    HttpClient root(cluster.client_port(id));
    root.set_token(std::string(kRootToken));
    const auto listed = root.get("/v1/kv?prefix=");
    REQUIRE(listed);
    CHECK(listed->status == 200);
    // Status and metrics, which the page also shows, need none.
    CHECK(anonymous.get("/v1/status")->status == 200);
    CHECK(anonymous.get("/metrics")->status == 200);
  }
}

}  // namespace paxoskv::e2e

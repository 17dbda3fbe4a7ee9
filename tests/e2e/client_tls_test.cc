// Client TLS on real replicas: the client port speaks HTTPS only, asks for client
// certificates with --client-cert-auth, survives garbage, and paxoskvctl speaks it.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/child_process.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/raw_exchange.h"
#include "tests/e2e/temp_dir.h"
#include "tests/e2e/test_cluster.h"
#include "tests/support/test_pki.h"

namespace paxoskv::e2e {

namespace {

using namespace std::chrono_literals;

TlsFiles trusting(const test::TestPki& pki) {
  return TlsFiles{.cert_file = {},
                  .key_file = {},
                  .trusted_ca_file = pki.ca_file().string(),
                  .client_cert_auth = false};
}

// A cluster whose client endpoints are HTTPS with a certificate of `pki`.
ClusterOptions https_cluster(const test::TestPki& pki, std::size_t replicas,
                             bool client_cert_auth) {
  ClusterOptions options;
  options.replicas = replicas;
  TlsFiles server = pki.issue("replica");
  server.client_cert_auth = client_cert_auth;
  options.client_tls = server;
  options.client_tls_checks = client_cert_auth ? pki.issue("checks") : trusting(pki);
  return options;
}

std::filesystem::path paxoskvctl_binary() {
  if (const char* path = std::getenv("PAXOSKVCTL_BINARY"); path && *path) return path;
  return paxoskv_binary().parent_path() / "tools" / "ctl" / "paxoskvctl";
}

struct CtlRun {
  int exit_status = -1;
  std::string output;
};

CtlRun run_ctl(const std::filesystem::path& dir, std::vector<std::string> args) {
  const auto log = dir / "ctl.out";
  std::filesystem::remove(log);
  args.insert(args.begin(), paxoskvctl_binary().string());
  ChildProcess ctl(args, log);
  const auto status = ctl.wait_for_exit(20s);
  REQUIRE(status);
  std::stringstream output;
  output << std::ifstream(log).rdbuf();
  return CtlRun{WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, output.str()};
}

}  // namespace

TEST_CASE("e2e: a TLS client port speaks HTTPS only and survives garbage", "[e2e][tls]") {
  TempDir pki_dir("paxoskv-e2e-pki");
  const test::TestPki pki(pki_dir.path());
  TestCluster cluster(https_cluster(pki, 3, false));

  SECTION("HTTPS with the CA works") {
    HttpClient writer("127.0.0.1", cluster.client_port(1), trusting(pki));
    const auto put = writer.put("/v1/kv/tls/key", "secret");
    REQUIRE(put);
    CHECK(put->status == 200);
    HttpClient reader("127.0.0.1", cluster.client_port(2), trusting(pki));
    const auto got = reader.get("/v1/kv/tls/key");
    REQUIRE(got);
    CHECK(got->status == 200);
    CHECK(got->json()["value"] == "secret");
  }

  SECTION("plain HTTP to the TLS port gets no HTTP answer") {
    const RawReply reply =
        raw_exchange(cluster.client_port(1), "GET /v1/kv/tls/key HTTP/1.1\r\nHost: x\r\n\r\n", 2s);
    REQUIRE(reply.connected);
    INFO(reply.received);
    CHECK(reply.received.find("HTTP/") == std::string::npos);
    CHECK(reply.closed_by_peer);
    HttpClient plain(cluster.client_port(1), 2s);
    CHECK_FALSE(plain.get("/healthz"));
  }

  SECTION("a client that does not trust the replica's CA refuses it") {
    TempDir other_dir("paxoskv-e2e-pki-other");
    const test::TestPki other(other_dir.path());
    HttpClient doubter("127.0.0.1", cluster.client_port(1), trusting(other), 2s);
    CHECK_FALSE(doubter.get("/healthz"));
  }

  SECTION("random bytes to the TLS port do not harm the replica") {
    std::mt19937 random(13);
    for (int attempt = 0; attempt < 30; ++attempt) {
      std::string bytes(1 + random() % 2000, '\0');
      for (char& byte : bytes) byte = static_cast<char>(random());
      // Half of them look like the start of a TLS record (a handshake, TLS 1.2).
      if (attempt % 2 == 0 && bytes.size() > 3) bytes.replace(0, 3, "\x16\x03\x03");
      raw_exchange(cluster.client_port(attempt % 3 + 1), bytes, 300ms);
    }
    for (const int id : cluster.ids()) {
      CHECK(cluster.running(id));
      HttpClient client("127.0.0.1", cluster.client_port(id), trusting(pki));
      const auto health = client.get("/healthz");
      REQUIRE(health);
      CHECK(health->status == 200);
    }
    HttpClient metrics("127.0.0.1", cluster.client_port(1), trusting(pki));
    const auto text = metrics.get("/metrics");
    REQUIRE(text);
    CHECK(text->body.find("paxoskv_http_tls_handshake_failures_total 0\n") == std::string::npos);
  }

  SECTION("paxoskvctl puts and gets over HTTPS") {
    const std::string endpoints = "https://127.0.0.1:" + std::to_string(cluster.client_port(1)) +
                                  ",https://127.0.0.1:" + std::to_string(cluster.client_port(2));
    const std::string ca = pki.ca_file().string();
    const CtlRun put = run_ctl(
        pki_dir.path(), {"--endpoints", endpoints, "--cacert", ca, "put", "tls/ctl", "over https"});
    INFO(put.output);
    CHECK(put.exit_status == 0);
    const CtlRun get =
        run_ctl(pki_dir.path(), {"--endpoints", endpoints, "--cacert", ca, "get", "tls/ctl"});
    INFO(get.output);
    CHECK(get.exit_status == 0);
    CHECK(get.output == "over https");  // raw bytes, no newline off a terminal
    // Without the CA (the system's do not know it) the replicas cannot be trusted.
    const CtlRun untrusted = run_ctl(pki_dir.path(), {"--endpoints", endpoints, "get", "tls/ctl"});
    INFO(untrusted.output);
    CHECK(untrusted.exit_status == 5);  // no endpoint reachable
  }
}

TEST_CASE("e2e: --client-cert-auth wants a client certificate from its CA", "[e2e][tls]") {
  TempDir pki_dir("paxoskv-e2e-pki");
  const test::TestPki pki(pki_dir.path() / "ours");
  const test::TestPki other(pki_dir.path() / "other");
  TestCluster cluster(https_cluster(pki, 1, true));
  const std::uint16_t port = cluster.client_port(1);

  HttpClient anonymous("127.0.0.1", port, trusting(pki), 2s);
  CHECK_FALSE(anonymous.get("/healthz"));

  TlsFiles foreign = other.issue("client");
  foreign.trusted_ca_file = pki.ca_file().string();
  HttpClient stranger("127.0.0.1", port, foreign, 2s);
  CHECK_FALSE(stranger.get("/healthz"));

  HttpClient member("127.0.0.1", port, pki.issue("client"));
  const auto put = member.put("/v1/kv/mtls/key", "ok");
  REQUIRE(put);
  CHECK(put->status == 200);
  const auto got = member.get("/v1/kv/mtls/key");
  REQUIRE(got);
  CHECK(got->json()["value"] == "ok");
}

}  // namespace paxoskv::e2e

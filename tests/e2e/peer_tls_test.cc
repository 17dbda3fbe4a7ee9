// Mutual TLS between replicas, end to end: a cluster with peer TLS serves; a stranger
// without a certificate, or with one of another CA, cannot complete a handshake to a peer
// port; garbage on a TLS peer port harms nothing; certificates rotated in place and
// re-read on SIGHUP are used for new connections while the cluster keeps serving.
#include <openssl/bn.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "src/tls/tls_context.h"
#include "tests/e2e/eventually.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/kv_client.h"
#include "tests/e2e/raw_exchange.h"
#include "tests/e2e/temp_dir.h"
#include "tests/e2e/test_cluster.h"
#include "tests/support/test_pki.h"

namespace paxoskv::e2e {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using test::TestPki;
using namespace std::chrono_literals;

// The cluster's CA with a certificate per replica (as ClusterOptions::peer_tls_dir wants
// them), and another CA that has nothing to do with it.
struct PeerPki {
  explicit PeerPki(std::size_t replicas) {
    for (std::size_t id = 1; id <= replicas; ++id) cluster.issue("replica-" + std::to_string(id));
  }
  TempDir dir{"paxoskv-peer-pki"};
  TestPki cluster{dir.path() / "cluster"};
  TestPki other{dir.path() / "other", "another paxoskv test CA"};
};

ClusterOptions with_peer_tls(const PeerPki& pki) {
  ClusterOptions options;
  options.peer_tls_dir = pki.cluster.dir();
  return options;
}

// What a TLS connection to a peer port came to.
struct HandshakeOutcome {
  bool taken = false;           // the server completed its side too (it waits for a hello)
  std::string refusal;          // why not
  std::string server_identity;  // the server certificate's serial and public key
  std::string received;         // what the server sent after the handshake
};

std::string identity_of(SSL* ssl) {
  X509* certificate = SSL_get1_peer_certificate(ssl);
  if (certificate == nullptr) return {};
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get_serialNumber(certificate), nullptr);
  char* hex = BN_bn2hex(serial);
  std::string identity = hex;
  OPENSSL_free(hex);
  BN_free(serial);
  unsigned char* key = nullptr;
  const int key_length = i2d_PUBKEY(X509_get0_pubkey(certificate), &key);
  if (key_length > 0) {
    identity += "/";
    constexpr const char* kHex = "0123456789abcdef";
    for (int i = 0; i < key_length; ++i) {
      identity += kHex[key[i] >> 4];
      identity += kHex[key[i] & 0xF];
    }
  }
  OPENSSL_free(key);
  X509_free(certificate);
  return identity;
}

// Connects to a peer port with `context`, which checks nothing of the server (what is
// tested is the server's refusal), runs the handshake, sends `after` and reads what comes
// within `wait`. Over TLS 1.3 a client's side of the handshake ends before the server has
// checked its certificate: a refusal then arrives as an alert on that read.
HandshakeOutcome handshake_with(std::uint16_t port, const std::shared_ptr<ssl::context>& context,
                                const std::string& after = {},
                                std::chrono::milliseconds wait = 1500ms) {
  context->set_verify_mode(ssl::verify_none);
  asio::io_context io;
  ssl::stream<tcp::socket> stream(io, *context);
  HandshakeOutcome outcome;
  std::array<char, 4096> buffer{};
  std::function<void()> read_next = [&] {
    stream.async_read_some(asio::buffer(buffer),
                           [&](const boost::system::error_code& error, std::size_t bytes) {
                             if (error) {
                               if (error.category() == asio::error::get_ssl_category()) {
                                 outcome.taken = false;
                                 outcome.refusal = error.message();
                               }
                               return;
                             }
                             outcome.received.append(buffer.data(), bytes);
                             read_next();
                           });
  };
  stream.next_layer().async_connect(
      tcp::endpoint(asio::ip::address_v4::loopback(), port),
      [&](const boost::system::error_code& error) {
        if (error) {
          outcome.refusal = "connect: " + error.message();
          return;
        }
        stream.async_handshake(
            ssl::stream_base::client, [&](const boost::system::error_code& handshake_error) {
              if (handshake_error) {
                outcome.refusal = handshake_error.message();
                return;
              }
              outcome.taken = true;
              outcome.server_identity = identity_of(stream.native_handle());
              asio::async_write(
                  stream, asio::buffer(after),
                  [&](const boost::system::error_code&, std::size_t) { read_next(); });
            });
      });
  io.run_for(wait);
  return outcome;
}

std::shared_ptr<ssl::context> client_context(const TlsFiles& files) {
  return tls::make_client_context(files);
}

std::shared_ptr<ssl::context> no_certificate(const PeerPki& pki) {
  TlsFiles files;
  files.trusted_ca_file = pki.cluster.ca_file().string();
  return tls::make_client_context(files);
}

// A metric of replica `id`'s /metrics, -1 if absent.
double metric(const TestCluster& cluster, int id, const std::string& name) {
  HttpClient client(cluster.client_port(id));
  const auto response = client.get("/metrics");
  if (!response || response->status != 200) return -1;
  std::istringstream lines(response->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(name + " ")) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

const std::string kHandshakeFailures = "paxoskv_peer_tls_handshake_failures_total";

std::string random_bytes(std::size_t count, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(count, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random() & 0xFF);
  return bytes;
}

void require_written(KvClient& client, const std::string& key) {
  const KvReply reply = client.put(key, "v");
  INFO(reply.describe());
  REQUIRE(reply.status == 200);
}

}  // namespace

TEST_CASE("e2e: peer TLS: the cluster serves, strangers are refused at the handshake",
          "[e2e][tls]") {
  PeerPki pki(3);
  TestCluster cluster(with_peer_tls(pki));
  for (const int id : cluster.ids()) {
    KvClient client(cluster.client_port(id));
    require_written(client, "over-tls-" + std::to_string(id));
  }
  const std::uint16_t peer_port = cluster.peer_port(1);
  const double failures_before = metric(cluster, 1, kHandshakeFailures);
  REQUIRE(failures_before == 0);

  SECTION("a certificate of the cluster's CA completes the handshake") {
    const HandshakeOutcome outcome =
        handshake_with(peer_port, client_context(pki.cluster.issue("probe")));
    INFO(outcome.refusal);
    CHECK(outcome.taken);
    CHECK_FALSE(outcome.server_identity.empty());
    CHECK(metric(cluster, 1, kHandshakeFailures) == failures_before);
  }
  SECTION("no certificate") {
    const HandshakeOutcome outcome = handshake_with(peer_port, no_certificate(pki));
    CHECK_FALSE(outcome.taken);
    CHECK_FALSE(outcome.refusal.empty());
    CHECK(eventually(2s, [&] { return metric(cluster, 1, kHandshakeFailures) > failures_before; }));
  }
  SECTION("a certificate of another CA") {
    const HandshakeOutcome outcome =
        handshake_with(peer_port, client_context(pki.other.issue("replica-2")));
    CHECK_FALSE(outcome.taken);
    CHECK_FALSE(outcome.refusal.empty());
    CHECK(eventually(2s, [&] { return metric(cluster, 1, kHandshakeFailures) > failures_before; }));
  }
  SECTION("plain TCP, and garbage, plain or inside TLS, harm nothing") {
    for (std::uint32_t seed = 1; seed <= 20; ++seed) {
      const RawReply reply = raw_exchange(peer_port, random_bytes(64 + seed * 97, seed), 1s);
      CHECK(reply.received.find("paxoskv") == std::string::npos);
    }
    // A TLS record header and then nonsense.
    raw_exchange(
        peer_port,
        std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + random_bytes(512, 99),
        1s);
    // A client of the cluster's CA sending garbage instead of a hello: closed at the hello.
    const auto certified = client_context(pki.cluster.issue("garbage"));
    for (std::uint32_t seed = 30; seed < 35; ++seed) {
      handshake_with(peer_port, certified, random_bytes(1000, seed), 300ms);
    }
    CHECK(metric(cluster, 1, kHandshakeFailures) > failures_before);
  }

  // The replica carries on as before.
  CHECK(cluster.unexpected_exits().empty());
  for (const int id : cluster.ids()) {
    KvClient client(cluster.client_port(id));
    require_written(client, "after-strangers-" + std::to_string(id));
  }
}

TEST_CASE("e2e: peer TLS: certificates rotated in place and re-read on SIGHUP", "[e2e][tls]") {
  PeerPki pki(3);
  TestCluster cluster(with_peer_tls(pki));
  const auto probe = client_context(pki.cluster.issue("probe"));
  std::map<int, std::string> identity_before;
  for (const int id : cluster.ids()) {
    identity_before[id] = handshake_with(cluster.peer_port(id), probe).server_identity;
    REQUIRE_FALSE(identity_before[id].empty());
  }

  // Writes go on, through replica 1, all along.
  std::atomic<bool> writing{true};
  std::atomic<int> written{0};
  std::vector<std::string> failed;
  std::thread writer([&] {
    KvClient client(cluster.client_port(1));
    for (int i = 0; writing.load(); ++i) {
      const KvReply reply = client.put("rotation-" + std::to_string(i), "v");
      if (reply.status == 200) {
        ++written;
      } else {
        failed.push_back(reply.describe());
      }
      std::this_thread::sleep_for(20ms);
    }
  });

  SECTION("new certificates are used from SIGHUP on") {
    for (const int id : cluster.ids()) pki.cluster.issue("replica-" + std::to_string(id));
    for (const int id : cluster.ids()) cluster.send_signal(id, SIGHUP);
    for (const int id : cluster.ids()) {
      INFO("replica " << id);
      std::string now;
      CHECK(eventually(3s, [&] {
        now = handshake_with(cluster.peer_port(id), probe, {}, 500ms).server_identity;
        return !now.empty() && now != identity_before[id];
      }));
    }
    // Links made anew (a replica restarted) use the new certificates both ways.
    cluster.kill(2);
    cluster.start(2);
    for (const int id : cluster.ids()) CHECK(cluster.wait_connected(id, 10s));
    KvClient client(cluster.client_port(2));
    require_written(client, "after-rotation");
  }
  SECTION("files that cannot be used keep the certificates in use") {
    std::ofstream(pki.cluster.dir() / "replica-1.pem") << "not a certificate\n";
    cluster.send_signal(1, SIGHUP);
    std::this_thread::sleep_for(300ms);
    CHECK(cluster.running(1));
    CHECK(handshake_with(cluster.peer_port(1), probe, {}, 500ms).server_identity ==
          identity_before[1]);
    cluster.kill(2);
    cluster.start(2);
    CHECK(cluster.wait_connected(1, 10s));
  }

  std::this_thread::sleep_for(300ms);
  writing = false;
  writer.join();
  INFO((failed.empty() ? std::string() : failed.front()));
  CHECK(failed.empty());
  CHECK(written.load() > 10);
  CHECK(cluster.unexpected_exits().empty());
}

}  // namespace paxoskv::e2e

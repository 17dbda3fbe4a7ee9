// The peer transport with mutual TLS: replicas whose certificates the cluster's CA signed
// exchange messages; a connection without a certificate, with one of another CA, or in
// plain TCP is refused at the handshake, delivers nothing and is counted.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/tls/tls_context.h"
#include "src/transport/frame.h"
#include "src/transport/transport.h"
#include "tests/e2e/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/transport/transport_test_support.h"

namespace paxoskv {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using consensus::NodeId;
using test::TestPki;
using namespace std::chrono_literals;

const std::string kFingerprint = "tls-test-cluster";

// The cluster's CA, and another that has nothing to do with it.
struct Pkis {
  e2e::TempDir dir{"paxoskv-peer-tls"};
  TestPki cluster{dir.path() / "cluster"};
  TestPki other{dir.path() / "other", "another paxoskv test CA"};
};

// A transport that records what it receives.
struct Endpoint {
  Endpoint(asio::io_context& io, NodeId id, NodeId peer)
      : transport(
            io, id, kFingerprint, {{peer, local_address(1)}}, "127.0.0.1:0",
            [this](NodeId from, PeerMessage) { received.push_back(from); }, test_limits()) {
    transport.bind();
  }
  std::vector<NodeId> received;
  PeerTransport transport;
};

consensus::Message numbered(std::uint64_t number) {
  return consensus::Accept{"k", number, {1, 1}, std::string("v"), {1, 1}};
}

// What a stranger got from a peer port: whether its side of the TLS handshake completed
// and what came back (a hello reply, had the connection been taken).
struct StrangerOutcome {
  bool handshake_completed = false;
  std::string received;
};

// Connects with `context` (no check of the server's certificate: the refusal tested is
// the server's), sends node 2's hello and a message, and reads until the server closes.
StrangerOutcome tls_stranger(asio::io_context& io, std::uint16_t port,
                             const std::shared_ptr<ssl::context>& context) {
  context->set_verify_mode(ssl::verify_none);
  auto stream = std::make_shared<ssl::stream<tcp::socket>>(io, *context);
  stream->next_layer().connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  const std::string bytes = hello_frame(Hello{2, kFingerprint, kProductProtocols}) +
                            message_frame(numbered(1), kPeerProtocolMax, 1 << 20).bytes;
  auto outcome = std::make_shared<StrangerOutcome>();
  auto finished = std::make_shared<bool>(false);
  auto buffer = std::make_shared<std::array<char, 256>>();
  auto read_next = std::make_shared<std::function<void()>>();
  *read_next = [=] {
    stream->async_read_some(asio::buffer(*buffer),
                            [=](const boost::system::error_code& error, std::size_t n) {
                              if (error) {
                                *finished = true;
                                return;
                              }
                              outcome->received.append(buffer->data(), n);
                              (*read_next)();
                            });
  };
  stream->async_handshake(ssl::stream_base::client, [=](const boost::system::error_code& error) {
    if (error) {
      *finished = true;
      return;
    }
    outcome->handshake_completed = true;
    asio::async_write(*stream, asio::buffer(bytes),
                      [=](const boost::system::error_code&, std::size_t) { (*read_next)(); });
  });
  const bool closed = run_until(io, [&] { return *finished; });
  boost::system::error_code ignored;
  stream->next_layer().close(ignored);
  run_until(
      io, [&] { return *finished; }, 1s);
  *read_next = nullptr;  // ends the cycle through the shared pointers
  CHECK(closed);
  return *outcome;
}

TEST_CASE("peers of the cluster's CA exchange messages over mutual TLS", "[transport][tls]") {
  Pkis pkis;
  asio::io_context io;
  Endpoint one(io, 1, 2);
  Endpoint two(io, 2, 1);
  one.transport.set_peer_address(2, local_address(two.transport.listening_port()));
  two.transport.set_peer_address(1, local_address(one.transport.listening_port()));
  one.transport.use_tls(pkis.cluster.issue("node-1"));
  two.transport.use_tls(pkis.cluster.issue("node-2"));
  one.transport.start();
  two.transport.start();
  REQUIRE(run_until(io, [&] { return one.transport.reachable(2) && two.transport.reachable(1); }));

  one.transport.send(2, numbered(1));
  two.transport.send(1, numbered(2));
  REQUIRE(run_until(io, [&] { return one.received.size() == 1 && two.received.size() == 1; }));
  CHECK(one.transport.counters().tls_handshake_failures == 0);
  CHECK(two.transport.counters().tls_handshake_failures == 0);

  SECTION("files that cannot be used change nothing") {
    TlsFiles missing = pkis.cluster.issue("node-1");
    missing.cert_file += ".gone";
    CHECK_THROWS_AS(one.transport.use_tls(missing), std::runtime_error);
    TlsFiles incomplete = missing;
    incomplete.trusted_ca_file.clear();
    CHECK_THROWS_AS(one.transport.use_tls(incomplete), std::invalid_argument);
    // A new connection is made with the certificates in use.
    Endpoint again(io, 2, 1);
    again.transport.set_peer_address(1, local_address(one.transport.listening_port()));
    again.transport.use_tls(pkis.cluster.issue("node-2"));
    again.transport.start();
    REQUIRE(run_until(io, [&] { return again.transport.reachable(1); }));
    again.transport.send(1, numbered(3));
    CHECK(run_until(io, [&] { return one.received.size() == 2; }));
  }
}

TEST_CASE("a connection without the cluster CA's certificate is refused at the handshake",
          "[transport][tls]") {
  Pkis pkis;
  asio::io_context io;
  Endpoint target(io, 1, 2);
  target.transport.use_tls(pkis.cluster.issue("node-1"));
  target.transport.start();
  const std::uint16_t port = target.transport.listening_port();
  const TransportCounters before = target.transport.counters();

  SECTION("no certificate") {
    TlsFiles no_certificate;
    no_certificate.trusted_ca_file = pkis.cluster.ca_file().string();
    const StrangerOutcome outcome =
        tls_stranger(io, port, tls::make_client_context(no_certificate));
    CHECK(outcome.received.empty());  // no hello reply: the hello was never read
  }
  SECTION("a certificate of another CA") {
    const StrangerOutcome outcome =
        tls_stranger(io, port, tls::make_client_context(pkis.other.issue("node-2")));
    CHECK(outcome.received.empty());
  }
  SECTION("plain TCP") {
    tcp::socket plain(io);
    plain.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    asio::write(plain, asio::buffer(hello_frame(Hello{2, kFingerprint, kProductProtocols})));
    bool closed = false;
    std::array<char, 256> sink{};
    plain.async_read_some(asio::buffer(sink),
                          [&](const boost::system::error_code&, std::size_t) { closed = true; });
    CHECK(run_until(io, [&] { return closed; }));
  }
  SECTION("a replica whose certificate another CA signed") {
    Endpoint stranger(io, 2, 1);
    stranger.transport.set_peer_address(1, local_address(port));
    TlsFiles files = pkis.other.issue("node-2");
    files.trusted_ca_file = pkis.cluster.ca_file().string();  // it would trust us
    stranger.transport.use_tls(files);
    stranger.transport.start();
    stranger.transport.send(1, numbered(1));
    REQUIRE(run_until(io, [&] { return target.transport.counters().tls_handshake_failures > 0; }));
    run_until(
        io, [] { return false; }, 300ms);
    CHECK_FALSE(stranger.transport.reachable(1));
    CHECK(stranger.transport.counters().tls_handshake_failures > 0);
  }

  REQUIRE(run_until(io, [&] {
    return target.transport.counters().tls_handshake_failures > before.tls_handshake_failures;
  }));
  CHECK(target.received.empty());
  CHECK(target.transport.counters().bad_hellos == before.bad_hellos);
  CHECK(target.transport.counters().frames_received == 0);
}

}  // namespace
}  // namespace paxoskv

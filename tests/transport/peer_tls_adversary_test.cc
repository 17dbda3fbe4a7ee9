// Stalled TLS handshakes on a peer port: strangers that connect and say nothing, or start
// a ClientHello and stop, tie up neither the acceptor nor the transport's thread; each is
// dropped at the hello timeout, while a peer of the cluster's CA connects and is served.
#include <boost/asio.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "src/transport/transport.h"
#include "tests/e2e/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/transport/transport_test_support.h"

namespace paxoskv {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using consensus::NodeId;
using namespace std::chrono_literals;

TEST_CASE("stalled TLS handshakes tie up nothing and are dropped at the hello timeout",
          "[transport][tls][adversary]") {
  e2e::TempDir dir{"paxoskv-peer-tls-stall"};
  test::TestPki pki{dir.path() / "cluster"};
  asio::io_context io;
  std::vector<NodeId> received;
  auto record = [&](NodeId from, PeerMessage) { received.push_back(from); };
  PeerTransport target(io, 1, "stall-test", {{2, local_address(1)}}, "127.0.0.1:0", record,
                       test_limits());
  PeerTransport peer(io, 2, "stall-test", {{1, local_address(1)}}, "127.0.0.1:0", record,
                     test_limits());
  target.bind();
  peer.bind();
  target.set_peer_address(2, local_address(peer.listening_port()));
  peer.set_peer_address(1, local_address(target.listening_port()));
  target.use_tls(pki.issue("node-1"));
  peer.use_tls(pki.issue("node-2"));
  target.start();

  // Silent strangers, and some that send the first bytes of a ClientHello's record only.
  std::vector<std::unique_ptr<tcp::socket>> strangers;
  for (int i = 0; i < 32; ++i) {
    auto socket = std::make_unique<tcp::socket>(io);
    socket->connect(tcp::endpoint(asio::ip::address_v4::loopback(), target.listening_port()));
    if (i % 2 == 1) {
      const std::string record_start("\x16\x03\x01\x02\x00\x01", 6);
      asio::write(*socket, asio::buffer(record_start));
    }
    strangers.push_back(std::move(socket));
  }
  const auto stalled_at = std::chrono::steady_clock::now();

  // Meanwhile a peer of the cluster's CA is served at once.
  peer.start();
  REQUIRE(run_until(
      io, [&] { return peer.reachable(1) && target.reachable(2); }, 400ms));
  peer.send(1, consensus::Accept{"k", 1, {1, 1}, std::string("v"), {1, 1}});
  REQUIRE(run_until(
      io, [&] { return received.size() == 1; }, 400ms));

  // Every stalled one is closed by the target at its hello timeout, counted as refused.
  std::size_t closed = 0;
  std::vector<std::array<char, 64>> sinks(strangers.size());
  for (std::size_t i = 0; i < strangers.size(); ++i) {
    strangers[i]->async_read_some(asio::buffer(sinks[i]),
                                  [&](const boost::system::error_code& error, std::size_t) {
                                    if (error) ++closed;
                                  });
  }
  REQUIRE(run_until(
      io, [&] { return closed == strangers.size(); }, 3s));
  CHECK(std::chrono::steady_clock::now() - stalled_at >= 450ms);
  CHECK(target.counters().tls_handshake_failures == strangers.size());
  CHECK(target.counters().frames_received == 1);
  CHECK(target.reachable(2));
}

}  // namespace
}  // namespace paxoskv

// The peer transport over real sockets on 127.0.0.1: delivery and order, reconnection,
// queue bounds, and connections that break the protocol.
#include "src/transport/transport.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "consensus/cluster_name.h"
#include "src/transport/frame.h"
#include "src/transport/wire_codec.h"
#include "tests/transport/transport_test_support.h"

namespace paxoskv {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using consensus::Message;
using consensus::NodeId;
using namespace std::chrono_literals;

const std::string kFingerprint = "test-cluster";

void run_for(asio::io_context& io, std::chrono::milliseconds duration) {
  io.restart();
  io.run_for(duration);
}

struct Delivery {
  NodeId from = 0;
  PeerMessage message;
};

// A transport that records what it receives.
class Replica {
 public:
  Replica(asio::io_context& io, NodeId id, std::map<NodeId, std::string> peers, std::string listen,
          TransportLimits limits = test_limits(), std::string fingerprint = kFingerprint)
      : transport(
            io, id, std::move(fingerprint), std::move(peers), std::move(listen),
            [this](NodeId from, PeerMessage message) {
              received.push_back({from, std::move(message)});
            },
            limits) {}

  std::vector<Delivery> received;
  PeerTransport transport;
};

// Replicas with ids 1..n on 127.0.0.1. All are bound from the outset, so each knows the
// others' ports; one that is bound but not started refuses connections, like a replica
// that is down.
class Cluster {
 public:
  Cluster(asio::io_context& io, int size, TransportLimits limits = test_limits())
      : io_(io), limits_(limits), size_(static_cast<NodeId>(size)) {
    for (NodeId id = 1; id <= size_; ++id) {
      create(id, "127.0.0.1:0").transport.bind();
      ports_[id] = replicas_[id]->transport.listening_port();
    }
    for (const auto& [id, replica] : replicas_) {
      for (const auto& [peer, address] : peers_of(id)) {
        replica->transport.set_peer_address(peer, address);
      }
    }
  }

  Replica& start(NodeId id) {
    replicas_.at(id)->transport.start();
    return *replicas_[id];
  }

  // A fresh replica in place of the old one, on the same port, as after a restart.
  Replica& restart(NodeId id) {
    replicas_.erase(id);
    Replica& replica = create(id, local_address(ports_.at(id)));
    replica.transport.start();
    return replica;
  }

  void destroy(NodeId id) { replicas_.erase(id); }

  std::string address_of(NodeId id) const { return local_address(ports_.at(id)); }

  Replica& operator[](NodeId id) { return *replicas_.at(id); }

  bool all_connected() const {
    for (const auto& [id, replica] : replicas_) {
      for (const auto& [peer, other] : replicas_) {
        if (peer != id && !replica->transport.reachable(peer)) return false;
      }
    }
    return true;
  }

 private:
  // Before the ports are known, peers get a placeholder address.
  std::map<NodeId, std::string> peers_of(NodeId id) const {
    std::map<NodeId, std::string> peers;
    for (NodeId other = 1; other <= size_; ++other) {
      if (other == id) continue;
      const auto port = ports_.find(other);
      peers[other] = local_address(port == ports_.end() ? 0 : port->second);
    }
    return peers;
  }

  Replica& create(NodeId id, std::string listen) {
    auto replica = std::make_unique<Replica>(io_, id, peers_of(id), std::move(listen), limits_);
    return *(replicas_[id] = std::move(replica));
  }

  asio::io_context& io_;
  TransportLimits limits_;
  NodeId size_;
  std::map<NodeId, std::uint16_t> ports_;
  std::map<NodeId, std::unique_ptr<Replica>> replicas_;
};

// Every message type at least once.
std::vector<PeerMessage> all_kinds() {
  const consensus::CatchUpReply entry{"e", 4, std::string{"v\0v", 3}, {{1, 2, 4}}};
  return {
      consensus::Prepare{"a", 1, {2, 3}},
      consensus::Promise{"a", 1, {2, 3}, consensus::AcceptedProposal{1, {1, 1}, "x", {1, 1}}},
      consensus::Reject{"a", 1, {2, 3}, {4, 5}},
      consensus::Accept{"a", 1, {2, 3}, std::nullopt, {2, 3}},
      consensus::Accepted{"a", 1, {2, 3}},
      consensus::Commit{"a", 1, {2, 3}},
      consensus::CatchUpRequest{"a", 7},
      entry,
      consensus::ReadQuery{"a", 9, 1},
      consensus::ReadReply{"a", 9, 2, consensus::KeyValue{"r"}, {{1, 1, 2}}, 3},
      anti_entropy::SyncRequest{10, 100},
      anti_entropy::SyncReply{{entry, entry}, 11, true, 5},
      consensus::ForwardRequest{"a", 12, false, "w", consensus::Version{3}, 500},
      consensus::ForwardReply{"a", 12, 1, 4, std::nullopt},
      consensus::ForwardWithdraw{"a", 13},
      consensus::ForwardWithdrawn{"a", 13},
      consensus::Prepare{"a", 1, {2, 3}, 4, 5},
      consensus::Accept{"a", 1, {2, 3}, "v", {2, 3}, 4, 5},
      consensus::ReadQuery{"a", 9, 1, 5},
      membership::KeyListRequest{14, 3, "a", 100},
      membership::KeyListReply{14, {"b", "c"}, true},
  };
}

// The encoding of `message` in the product's highest protocol version.
std::string encoded(const PeerMessage& message) {
  return wire::encode(message, kPeerProtocolMax).value();
}

bool same_messages(const std::vector<Delivery>& received, NodeId from,
                   const std::vector<PeerMessage>& expected) {
  if (received.size() != expected.size()) return false;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (received[i].from != from) return false;
    if (encoded(received[i].message) != encoded(expected[i])) return false;
  }
  return true;
}

Message numbered(std::uint64_t number, std::size_t value_bytes = 0) {
  return consensus::Accept{"k", number, {1, 1}, std::string(value_bytes, 'v'), {1, 1}};
}

std::uint64_t number_of(const Delivery& delivery) {
  return std::get<consensus::Accept>(std::get<Message>(delivery.message)).slot;
}

std::string message_frame_bytes(const PeerMessage& message,
                                std::uint8_t version = kPeerProtocolMax) {
  MessageFrame frame = message_frame(message, version, 1 << 30);
  REQUIRE(frame.problem == MessageFrame::Problem::kNone);
  return std::move(frame.bytes);
}

// A hand-driven connection, for sending what a real replica never would.
class RawConnection {
 public:
  RawConnection(asio::io_context& io, std::uint16_t port) : socket_(io) {
    socket_.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  }

  void write(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }
  void shutdown_send() { socket_.shutdown(tcp::socket::shutdown_send); }

  // Whether the other end closes the connection within the timeout.
  bool closed_by_peer(asio::io_context& io) {
    bool closed = false;
    std::function<void()> read_next = [&] {
      socket_.async_read_some(asio::buffer(sink_),
                              [&](const boost::system::error_code& error, std::size_t) {
                                if (error) {
                                  closed = true;
                                } else {
                                  read_next();
                                }
                              });
    };
    read_next();
    const bool result = run_until(
        io, [&] { return closed; }, 3s);
    socket_.close();
    run_until(
        io, [&] { return closed; }, 1s);  // let the cancelled read finish
    return result;
  }

 private:
  tcp::socket socket_;
  std::array<char, 256> sink_{};
};

TEST_CASE("messages of every kind arrive in order", "[transport]") {
  asio::io_context io;
  Cluster cluster(io, 3);
  for (NodeId id = 1; id <= 3; ++id) cluster.start(id);
  REQUIRE(run_until(io, [&] { return cluster.all_connected(); }));

  const std::vector<PeerMessage> kinds = all_kinds();
  for (const PeerMessage& message : kinds) {
    std::visit(
        [&](const auto& alternative) {
          cluster[1].transport.send(2, alternative);
          cluster[1].transport.send(3, alternative);
          cluster[2].transport.send(1, alternative);
        },
        message);
  }
  REQUIRE(run_until(io, [&] {
    return cluster[1].received.size() == kinds.size() &&
           cluster[2].received.size() == kinds.size() && cluster[3].received.size() == kinds.size();
  }));
  CHECK(same_messages(cluster[2].received, 1, kinds));
  CHECK(same_messages(cluster[3].received, 1, kinds));
  CHECK(same_messages(cluster[1].received, 2, kinds));
  CHECK(cluster[1].transport.protocol_version(2) == kPeerProtocolMax);
  CHECK(cluster[1].transport.counters().dropped_not_in_version == 0);

  SECTION("many messages queued behind one write keep their order") {
    cluster[3].received.clear();
    constexpr std::uint64_t kCount = 5000;
    for (std::uint64_t i = 0; i < kCount; ++i) cluster[1].transport.send(3, numbered(i, i % 100));
    REQUIRE(run_until(io, [&] { return cluster[3].received.size() == kCount; }));
    for (std::uint64_t i = 0; i < kCount; ++i) REQUIRE(number_of(cluster[3].received[i]) == i);
    const TransportCounters sent = cluster[1].transport.counters();
    CHECK(sent.frames_sent == 2 * kinds.size() + kCount);
    CHECK(sent.dropped_queue_full == 0);
    CHECK(sent.dropped_unreachable == 0);
    CHECK(cluster[3].transport.counters().frames_received == kinds.size() + kCount);
  }

  SECTION("a message with a 1 MiB value arrives") {
    cluster[2].received.clear();
    const std::string value(1 << 20, '\x5a');
    cluster[1].transport.send(2, consensus::CatchUpReply{"big", 3, value, {{1, 4, 3}}});
    REQUIRE(run_until(io, [&] { return cluster[2].received.size() == 1; }));
    const auto& reply =
        std::get<consensus::CatchUpReply>(std::get<Message>(cluster[2].received[0].message));
    CHECK(reply.key == "big");
    CHECK(reply.value == value);
  }
}

TEST_CASE("a peer that starts late, or restarts, gets messages once it is up", "[transport]") {
  asio::io_context io;
  Cluster cluster(io, 2);
  Replica& first = cluster.start(1);

  // Node 2 is down: the connection attempt fails and messages are dropped, not hoarded.
  REQUIRE(run_until(io, [&] { return first.transport.counters().reconnect_attempts >= 2; }));
  first.transport.send(2, numbered(1));
  CHECK_FALSE(first.transport.reachable(2));
  CHECK(first.transport.counters().dropped_unreachable >= 1);

  cluster.start(2);
  REQUIRE(run_until(io, [&] { return first.transport.reachable(2); }));
  first.transport.send(2, numbered(2));
  REQUIRE(run_until(io, [&] { return cluster[2].received.size() == 1; }));
  CHECK(number_of(cluster[2].received[0]) == 2);
  CHECK(cluster[2].received[0].from == 1);

  // Node 2 goes away and comes back on the same port.
  cluster.destroy(2);
  REQUIRE(run_until(io, [&] { return !first.transport.reachable(2); }));
  cluster.restart(2);
  REQUIRE(run_until(io, [&] { return first.transport.reachable(2); }));
  first.transport.send(2, numbered(3));
  REQUIRE(run_until(io, [&] { return cluster[2].received.size() == 1; }));
  CHECK(number_of(cluster[2].received[0]) == 3);
  CHECK(first.transport.counters().connections_established == 2);
}

TEST_CASE("a peer that comes up cuts our reconnect backoff short", "[transport]") {
  asio::io_context io;
  TransportLimits slow_backoff = test_limits();
  slow_backoff.reconnect_min = 20s;  // as after many failed attempts
  slow_backoff.reconnect_max = 20s;
  Cluster cluster(io, 2, slow_backoff);
  // Node 1's first attempt finds node 2 down; node 2 starting up connects to node 1.
  Replica& first = cluster.start(1);
  REQUIRE(run_until(io, [&] { return first.transport.counters().reconnect_attempts == 0; }));
  run_for(io, 50ms);
  cluster.start(2);
  REQUIRE(run_until(
      io, [&] { return cluster.all_connected(); }, 5s));

  // Node 2 restarts: node 1's link waits 10-20 s before it tries again, but node 2's own
  // connection to node 1 shows it is up, and node 1 reconnects at once.
  cluster.destroy(2);
  REQUIRE(run_until(io, [&] { return !first.transport.reachable(2); }));
  cluster.restart(2);
  const auto restarted = std::chrono::steady_clock::now();
  REQUIRE(run_until(
      io, [&] { return first.transport.reachable(2); }, 5s));
  CHECK(std::chrono::steady_clock::now() - restarted < 2s);
  first.transport.send(2, numbered(1));
  REQUIRE(run_until(io, [&] { return cluster[2].received.size() == 1; }));
}

TEST_CASE("connections that break the protocol are closed; real peers carry on", "[transport]") {
  asio::io_context io;
  // Node 3 is a peer of node 1 that never comes up: the raw connections speak as it.
  Cluster cluster(io, 3);
  Replica& target = cluster.start(1);
  Replica& honest = cluster.start(2);
  REQUIRE(run_until(io, [&] { return honest.transport.reachable(1); }));
  const std::uint16_t port = target.transport.listening_port();
  const std::string good_hello = hello_frame(Hello{3, kFingerprint, kProductProtocols});
  const TransportCounters before = target.transport.counters();

  std::uint64_t next_number = 0;
  const auto honest_peer_still_heard = [&] {
    const std::uint64_t number = next_number++;
    honest.transport.send(1, numbered(number));
    return run_until(io, [&] {
      return !target.received.empty() && number_of(target.received.back()) == number;
    });
  };

  SECTION("garbage instead of a hello") {
    RawConnection raw(io, port);
    raw.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(raw.closed_by_peer(io));
    CHECK(target.transport.counters().bad_hellos == before.bad_hellos + 1);
  }

  SECTION("hellos that are wrong") {
    const std::vector<std::string> bad_hellos = {
        hello_frame(Hello{3, "another-cluster", kProductProtocols}),
        hello_frame(Hello{9, kFingerprint, kProductProtocols}),               // not a member
        hello_frame(Hello{1, kFingerprint, kProductProtocols}),               // the target itself
        hello_frame(Hello{3, kFingerprint, {7, 8}}),                          // no common version
        std::string{"\x00\x00\x00\x02\xb7\x02", 6},                           // too short
        std::string{"\x00\x00\x00\x08\xb7\x02\x00\x00\x00\x03\x00\x00", 12},  // version 2
        std::string{"\x00\x00\x00\x08\xb7\x03\x00\x00\x00\x03\x00\x00", 12},  // version 3
        std::string{"\x00\x00\x00\x0a\xb7\x04\x05\x04\x00\x00\x00\x03\x00\x00", 14},  // empty range
        std::string{"\x00\x00\x00\x0a\xb7\x04\x04\x04\x00\x00\x00\x03\x00\x05",
                    14},  // length mismatch
    };
    for (const std::string& hello : bad_hellos) {
      RawConnection raw(io, port);
      raw.write(hello);
      CHECK(raw.closed_by_peer(io));
    }
    CHECK(target.transport.counters().bad_hellos == before.bad_hellos + bad_hellos.size());
  }

  SECTION("no hello at all") {
    RawConnection raw(io, port);
    CHECK(raw.closed_by_peer(io));  // after the hello timeout
    CHECK(target.transport.counters().bad_hellos == before.bad_hellos + 1);
  }

  SECTION("a length prefix above the frame limit") {
    RawConnection raw(io, port);
    raw.write(good_hello);
    raw.write(std::string{"\x00\x80\x00\x01", 4});  // 8 MiB + 1
    CHECK(raw.closed_by_peer(io));
    CHECK(target.transport.counters().oversize_frames == before.oversize_frames + 1);
  }

  SECTION("a frame that does not decode") {
    RawConnection raw(io, port);
    raw.write(good_hello);
    raw.write(std::string{"\x00\x00\x00\x03\xff\x01\x02", 7});
    CHECK(raw.closed_by_peer(io));
    CHECK(target.transport.counters().decode_errors == before.decode_errors + 1);
  }

  SECTION("a message protocol 4 does not have, on a connection of protocol 4") {
    for (const PeerMessage& message :
         {PeerMessage{membership::KeyListRequest{1, 1, "", 10}},
          PeerMessage{Message{consensus::Prepare{"k", 1, {1, 1}, 1, 0}}}}) {
      RawConnection raw(io, port);
      raw.write(hello_frame(Hello{3, kFingerprint, {4, 4}}));
      raw.write(message_frame_bytes(message, 5));
      CHECK(raw.closed_by_peer(io));
    }
    CHECK(target.transport.counters().decode_errors == before.decode_errors + 2);
    CHECK(target.received.empty());
  }

  SECTION("a frame cut short") {
    RawConnection raw(io, port);
    raw.write(good_hello);
    raw.write(message_frame_bytes(numbered(0)));  // one good frame first
    raw.write(message_frame_bytes(numbered(1)).substr(0, 9));
    raw.shutdown_send();
    CHECK(raw.closed_by_peer(io));
    REQUIRE(target.received.size() == 1);
    CHECK(target.received[0].from == 3);
    target.received.clear();
  }

  CHECK(honest_peer_still_heard());
  CHECK(honest_peer_still_heard());
  for (const Delivery& delivery : target.received) CHECK(delivery.from == 2);
}

// An answer came, or the peer proved unreachable (not merely connected and waiting).
bool settled(HelloAnswer answer) {
  return answer != HelloAnswer::kPending && answer != HelloAnswer::kAwaitingAnswer;
}

TEST_CASE("a hello is answered with whether the receiver knows the sender", "[transport]") {
  asio::io_context io;
  Cluster cluster(io, 3);
  // Node 1 has heard from node 2 before, never from node 3.
  cluster[1].transport.answer_hellos_with([](NodeId peer) { return peer == 2; });
  for (NodeId id = 1; id <= 3; ++id)
    CHECK(cluster[id].transport.hello_answer(id % 3 + 1) == HelloAnswer::kPending);
  for (NodeId id = 1; id <= 3; ++id) cluster.start(id);
  const auto answered = [&](NodeId asker, NodeId peer) {
    return settled(cluster[asker].transport.hello_answer(peer));
  };
  REQUIRE(run_until(
      io, [&] { return answered(2, 1) && answered(3, 1) && answered(1, 2) && answered(2, 3); }));
  CHECK(cluster[2].transport.hello_answer(1) == HelloAnswer::kKnowsUs);
  CHECK(cluster[3].transport.hello_answer(1) == HelloAnswer::kDoesNotKnowUs);
  // Without a KnowsPeer a replica knows no one.
  CHECK(cluster[1].transport.hello_answer(2) == HelloAnswer::kDoesNotKnowUs);
  CHECK(cluster[2].transport.hello_answer(3) == HelloAnswer::kDoesNotKnowUs);
  CHECK(cluster[2].transport.hello_answer(9) == HelloAnswer::kUnreachable);  // not a peer

  // Messages flow as before, the answer travelling the other way.
  cluster[2].transport.send(1, numbered(7));
  REQUIRE(run_until(io, [&] { return cluster[1].received.size() == 1; }));
  CHECK(number_of(cluster[1].received[0]) == 7);

  // The latest answer counts: node 1 restarts knowing node 3 too.
  cluster.destroy(1);
  REQUIRE(run_until(io, [&] { return !cluster[3].transport.reachable(1); }));
  Replica& restarted = cluster.restart(1);
  restarted.transport.answer_hellos_with([](NodeId) { return true; });
  REQUIRE(
      run_until(io, [&] { return cluster[3].transport.hello_answer(1) == HelloAnswer::kKnowsUs; }));
}

TEST_CASE("a peer that is down or answers the hello wrongly is unreachable", "[transport]") {
  asio::io_context io;

  SECTION("connection refused") {
    Cluster cluster(io, 2);
    Replica& first = cluster.start(1);  // node 2 is bound but refuses connections
    REQUIRE(run_until(io, [&] { return settled(first.transport.hello_answer(2)); }));
    CHECK(first.transport.hello_answer(2) == HelloAnswer::kUnreachable);
    // It comes up: its answer replaces that.
    cluster.start(2);
    REQUIRE(run_until(
        io, [&] { return first.transport.hello_answer(2) == HelloAnswer::kDoesNotKnowUs; }));
  }

  SECTION("a reply that is not a hello reply") {
    // A peer of an earlier protocol version closes the connection; this one answers with
    // garbage.
    tcp::acceptor fake_peer(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::socket fake_socket(io);
    const std::string garbage{"\x00\x00\x00\x06\xb7\x04\x04\x00\x04\x04", 10};  // a hello's magic
    fake_peer.async_accept(fake_socket, [&](const boost::system::error_code& error) {
      if (!error) asio::write(fake_socket, asio::buffer(garbage));
    });
    PeerTransport sender(
        io, 1, kFingerprint, {{2, local_address(fake_peer.local_endpoint().port())}}, "127.0.0.1:0",
        [](NodeId, PeerMessage) {}, test_limits());
    sender.start();
    REQUIRE(run_until(io, [&] { return sender.counters().bad_hello_replies == 1; }));
    CHECK(sender.hello_answer(2) == HelloAnswer::kUnreachable);
  }

  SECTION("a peer that takes the connection but never answers the hello") {
    // As a peer that refuses us after the handshake looks until its refusal arrives (over
    // TLS 1.3 our side of the handshake ends before the peer checked our certificate).
    tcp::acceptor silent_peer(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::socket silent_socket(io);
    bool accepted = false;
    silent_peer.async_accept(silent_socket,
                             [&](const boost::system::error_code& error) { accepted = !error; });
    PeerTransport sender(
        io, 1, kFingerprint, {{2, local_address(silent_peer.local_endpoint().port())}},
        "127.0.0.1:0", [](NodeId, PeerMessage) {}, test_limits());
    sender.start();
    REQUIRE(run_until(io, [&] { return accepted && sender.counters().bytes_sent > 0; }));
    run_for(io, 100ms);
    CHECK(sender.hello_answer(2) == HelloAnswer::kAwaitingAnswer);
    CHECK_FALSE(sender.reachable(2));
  }
}

TEST_CASE("a hello reply that does not choose the highest common version is refused",
          "[transport]") {
  asio::io_context io;
  // Both speak 4 and 5; the peer chooses 4.
  tcp::acceptor fake_peer(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::socket fake_socket(io);
  const std::string reply = hello_reply_frame(HelloReply{false, 4, {4, 5}});
  fake_peer.async_accept(fake_socket, [&](const boost::system::error_code& error) {
    if (!error) asio::write(fake_socket, asio::buffer(reply));
  });
  TransportLimits limits = test_limits();
  limits.protocols = {4, 5};
  PeerTransport sender(
      io, 1, kFingerprint, {{2, local_address(fake_peer.local_endpoint().port())}}, "127.0.0.1:0",
      [](NodeId, PeerMessage) {}, limits);
  sender.start();
  REQUIRE(run_until(io, [&] { return sender.counters().bad_hello_replies == 1; }));
  CHECK(sender.hello_answer(2) == HelloAnswer::kUnreachable);
  CHECK_FALSE(sender.protocol_version(2));
}

TEST_CASE("hello replies encode and parse", "[transport]") {
  for (const bool knows : {false, true}) {
    for (const std::optional<std::uint8_t> chosen : {std::optional<std::uint8_t>{}, {5}}) {
      const HelloReply reply{knows, chosen, {4, 6}};
      const std::string frame = hello_reply_frame(reply);
      REQUIRE(frame.size() == kFrameHeaderBytes + kHelloReplyBodyBytes);
      const ParsedHelloReply parsed = parse_hello_reply(std::string_view(frame).substr(4));
      REQUIRE(parsed.reply);
      CHECK(parsed.reply->knows_sender == knows);
      CHECK(parsed.reply->chosen_version == chosen);
      CHECK(parsed.reply->responder_protocols == ProtocolRange{4, 6});
    }
  }
  // Pinned: magic, layout 4, chosen version, flags, the responder's range.
  CHECK(hello_reply_frame(HelloReply{true, 4, {4, 4}}) ==
        std::string{"\x00\x00\x00\x06\xb8\x04\x04\x01\x04\x04", 10});
  CHECK(hello_reply_frame(HelloReply{false, std::nullopt, {5, 6}}) ==
        std::string{"\x00\x00\x00\x06\xb8\x04\x00\x00\x05\x06", 10});
  CHECK_FALSE(parse_hello_reply(std::string{"\xb8\x04\x04\x02\x04\x04", 6}).reply);  // flag
  CHECK_FALSE(parse_hello_reply(std::string{"\xb8\x03\x00", 3}).reply);              // protocol 3
  CHECK_FALSE(parse_hello_reply(std::string{"\xb8\x03\x04\x00\x04\x04", 6}).reply);  // layout 3
  CHECK_FALSE(parse_hello_reply(std::string{"\xb7\x04\x04\x00\x04\x04", 6}).reply);  // magic
  CHECK_FALSE(parse_hello_reply(std::string{"\xb8\x04\x05\x00\x04\x04", 6}).reply);  // not its own
  CHECK_FALSE(parse_hello_reply(std::string{"\xb8\x04\x04\x00\x05\x04", 6}).reply);  // empty range
  CHECK_FALSE(parse_hello_reply(std::string{"\xb8\x04\x04\x00\x04", 5}).reply);
}

TEST_CASE("hellos carry the sender's protocol range", "[transport]") {
  const Hello hello{7, "fp", {4, 9}};
  const std::string frame = hello_frame(hello);
  // Pinned: magic, layout 4, range, id, fingerprint length, fingerprint.
  CHECK(frame ==
        std::string{"\x00\x00\x00\x0c\xb7\x04\x04\x09\x00\x00\x00\x07\x00\x02\x66\x70", 16});
  const ParsedHello parsed = parse_hello(std::string_view(frame).substr(kFrameHeaderBytes));
  REQUIRE(parsed.hello);
  CHECK(parsed.hello->node == 7);
  CHECK(parsed.hello->cluster_fingerprint == "fp");
  CHECK(parsed.hello->protocols == ProtocolRange{4, 9});
  // A hello of protocol 3 is refused, saying what this replica speaks.
  const ParsedHello old = parse_hello(std::string{"\xb7\x03\x00\x00\x00\x03\x00\x00", 8});
  CHECK_FALSE(old.hello);
  CHECK(old.problem.find("peer protocol 3") != std::string::npos);
  CHECK(old.problem.find("speaks peer protocol 4..6") != std::string::npos);
  // A range whose lowest version is above its highest, or that holds version 0.
  CHECK_FALSE(parse_hello(std::string{"\xb7\x04\x05\x04\x00\x00\x00\x03\x00\x00", 10}).hello);
  CHECK_FALSE(parse_hello(std::string{"\xb7\x04\x00\x04\x00\x00\x00\x03\x00\x00", 10}).hello);
}

TEST_CASE("two ranges agree on the highest version both speak, or on none", "[transport]") {
  // Every pair of ranges within 1..5.
  std::vector<ProtocolRange> ranges;
  for (std::uint8_t low = 1; low <= 5; ++low) {
    for (std::uint8_t high = low; high <= 5; ++high) ranges.push_back({low, high});
  }
  for (const ProtocolRange ours : ranges) {
    for (const ProtocolRange theirs : ranges) {
      CAPTURE(to_string(ours), to_string(theirs));
      std::optional<std::uint8_t> highest_common;
      for (std::uint8_t v = 1; v <= 5; ++v) {
        const bool both = v >= ours.min && v <= ours.max && v >= theirs.min && v <= theirs.max;
        if (both) highest_common = v;
      }
      CHECK(negotiate(ours, theirs) == highest_common);
      CHECK(negotiate(theirs, ours) == highest_common);
    }
  }
  CHECK(negotiate({4, 5}, {4, 4}) == 4);  // overlap: the lower top
  CHECK(negotiate({4, 6}, {5, 9}) == 6);
  CHECK(negotiate({4, 4}, {4, 4}) == 4);             // equal
  CHECK(negotiate({5, 5}, {4, 4}) == std::nullopt);  // none
  CHECK(negotiate({1, 3}, {4, 4}) == std::nullopt);
  CHECK(kProductProtocols == ProtocolRange{4, 6});
}

// Replicas 1 and 2, each speaking its own protocol range.
class MixedPair {
 public:
  MixedPair(asio::io_context& io, ProtocolRange first, ProtocolRange second) {
    TransportLimits first_limits = test_limits();
    first_limits.protocols = first;
    TransportLimits second_limits = test_limits();
    second_limits.protocols = second;
    one = std::make_unique<Replica>(io, 1, std::map<NodeId, std::string>{{2, local_address(0)}},
                                    "127.0.0.1:0", first_limits);
    two = std::make_unique<Replica>(io, 2, std::map<NodeId, std::string>{{1, local_address(0)}},
                                    "127.0.0.1:0", second_limits);
    one->transport.bind();
    two->transport.bind();
    one->transport.set_peer_address(2, local_address(two->transport.listening_port()));
    two->transport.set_peer_address(1, local_address(one->transport.listening_port()));
    one->transport.start();
    two->transport.start();
  }

  std::unique_ptr<Replica> one;
  std::unique_ptr<Replica> two;
};

TEST_CASE("replicas of different protocol ranges talk in the highest version both speak",
          "[transport]") {
  asio::io_context io;
  MixedPair pair(io, {4, 5}, {4, 4});
  REQUIRE(run_until(io, [&] {
    return pair.one->transport.protocol_version(2) && pair.two->transport.protocol_version(1);
  }));
  CHECK(pair.one->transport.protocol_version(2) == 4);
  CHECK(pair.two->transport.protocol_version(1) == 4);
  CHECK(pair.one->transport.hello_answer(2) == HelloAnswer::kDoesNotKnowUs);
  pair.one->transport.send(2, numbered(1));
  pair.two->transport.send(1, numbered(2));
  REQUIRE(run_until(
      io, [&] { return pair.one->received.size() == 1 && pair.two->received.size() == 1; }));
  CHECK(number_of(pair.two->received[0]) == 1);
  CHECK(number_of(pair.one->received[0]) == 2);

  SECTION("both speak a newer one") {
    asio::io_context other_io;
    MixedPair newer(other_io, {4, 6}, {5, 7});
    REQUIRE(run_until(other_io, [&] { return newer.one->transport.protocol_version(2) == 6; }));
    REQUIRE(run_until(other_io, [&] { return newer.two->transport.protocol_version(1) == 6; }));
  }
}

TEST_CASE("on a connection of protocol 4, what only protocol 5 can say is dropped and counted",
          "[transport]") {
  asio::io_context io;
  TransportLimits old_limits = test_limits();
  old_limits.protocols = {4, 4};
  Replica two(io, 2, {{1, local_address(1)}}, "127.0.0.1:0", old_limits);
  two.transport.start();
  TransportLimits new_limits = test_limits();
  new_limits.protocols = {4, 5};
  Replica one(io, 1, {{2, local_address(two.transport.listening_port())}}, "127.0.0.1:0",
              new_limits);
  one.transport.start();
  const auto prepare = [](std::uint64_t slot, std::uint64_t config) {
    return Message{consensus::Prepare{"k", slot, {1, 1}, 0, config}};
  };
  const auto slot_of = [](const Delivery& delivery) {
    return std::get<consensus::Prepare>(std::get<Message>(delivery.message)).slot;
  };
  // Sent while connecting, before the peer answered the hello: encoded in protocol 5, the
  // version this link expects at first, then again in 4 once the peer chose it.
  one.transport.send(2, prepare(1, 0));
  one.transport.send(2, prepare(2, 7));
  one.transport.send(2, membership::KeyListRequest{1, 1, "", 10});
  one.transport.send(2, prepare(3, 0));
  REQUIRE(run_until(io, [&] { return two.received.size() == 2; }));
  CHECK(slot_of(two.received[0]) == 1);
  CHECK(slot_of(two.received[1]) == 3);
  CHECK(one.transport.counters().dropped_not_in_version == 2);

  // Sent once the connection speaks 4.
  REQUIRE(one.transport.protocol_version(2) == 4);
  one.transport.send(2, prepare(4, 1));
  one.transport.send(2, membership::KeyListReply{1, {"k"}, false});
  one.transport.send(2, Message{consensus::ReadQuery{"k", 1, 0, 2}});
  one.transport.send(2, prepare(5, 0));
  REQUIRE(run_until(io, [&] { return two.received.size() == 3; }));
  CHECK(slot_of(two.received[2]) == 5);
  CHECK(one.transport.counters().dropped_not_in_version == 5);
  CHECK(two.transport.counters().decode_errors == 0);
  run_for(io, 50ms);
  CHECK(two.received.size() == 3);
}

TEST_CASE("the cluster name tells clusters apart, not the members a fingerprint lists",
          "[transport]") {
  CHECK(consensus::cluster_name_of("paxoskv:1,2,3") == "paxoskv");
  CHECK(consensus::cluster_name_of("paxoskv:1,2,3,4") == "paxoskv");
  CHECK(consensus::cluster_name_of("a:b:1,2") == "a:b");  // a name may hold the separator
  CHECK(consensus::cluster_name_of("no-members") == "no-members");

  asio::io_context io;
  Replica receiver(io, 1, {{2, local_address(1)}}, "127.0.0.1:0", test_limits(), "paxoskv:1,2,3");
  receiver.transport.start();
  const std::map<NodeId, std::string> to_receiver{
      {1, local_address(receiver.transport.listening_port())}};

  // Another cluster, whose member ids are the same.
  auto other =
      std::make_unique<Replica>(io, 2, to_receiver, "127.0.0.1:0", test_limits(), "other:1,2,3");
  other->transport.start();
  REQUIRE(run_until(io, [&] { return receiver.transport.counters().bad_hellos >= 1; }));
  other->transport.send(1, numbered(1));
  run_for(io, 50ms);
  CHECK(receiver.received.empty());
  other.reset();

  // The same cluster, its member list grown since.
  Replica grown(io, 2, to_receiver, "127.0.0.1:0", test_limits(), "paxoskv:1,2,3,4");
  grown.transport.start();
  REQUIRE(run_until(io, [&] { return grown.transport.protocol_version(1).has_value(); }));
  grown.transport.send(1, numbered(2));
  REQUIRE(run_until(io, [&] { return receiver.received.size() == 1; }));
  CHECK(number_of(receiver.received[0]) == 2);
}

TEST_CASE("a transport that gains a peer at run time exchanges messages with it", "[transport]") {
  asio::io_context io;
  Replica one(io, 1, {}, "127.0.0.1:0");
  one.transport.start();
  Replica three(io, 3, {{1, local_address(one.transport.listening_port())}}, "127.0.0.1:0");
  three.transport.start();
  const std::string three_address = local_address(three.transport.listening_port());

  // Not yet a peer: its hellos are refused, messages to it dropped.
  REQUIRE(run_until(io, [&] { return one.transport.counters().bad_hellos >= 1; }));
  one.transport.send(3, numbered(1));
  CHECK(one.transport.counters().dropped_unreachable == 1);
  CHECK_THROWS_AS(one.transport.set_peers({{1, three_address}}), std::invalid_argument);
  CHECK_THROWS_AS(one.transport.set_peers({{3, "nonsense"}}), std::invalid_argument);
  CHECK(one.transport.hello_answer(3) == HelloAnswer::kUnreachable);  // still no peer

  SECTION("at its address") {
    one.transport.set_peers({{3, three_address}});
  }
  SECTION("at an address that changes before it is reached") {
    one.transport.set_peers({{3, local_address(1)}});  // nothing listens there
    REQUIRE(
        run_until(io, [&] { return one.transport.hello_answer(3) == HelloAnswer::kUnreachable; }));
    one.transport.set_peers({{3, three_address}});
  }
  REQUIRE(run_until(io, [&] {
    return one.transport.protocol_version(3).has_value() &&
           three.transport.protocol_version(1).has_value();
  }));
  one.transport.send(3, numbered(2));
  three.transport.send(1, numbered(3));
  REQUIRE(run_until(io, [&] { return one.received.size() == 1 && three.received.size() == 1; }));
  CHECK(number_of(three.received[0]) == 2);
  CHECK(number_of(one.received[0]) == 3);
  CHECK(one.received[0].from == 3);
}

TEST_CASE("a transport that loses a peer no longer delivers its messages", "[transport]") {
  asio::io_context io;
  Cluster cluster(io, 3);
  for (NodeId id = 1; id <= 3; ++id) cluster.start(id);
  REQUIRE(run_until(io, [&] {
    return cluster.all_connected() && cluster[2].transport.protocol_version(1).has_value();
  }));
  const std::uint64_t refused_before = cluster[1].transport.counters().bad_hellos;
  cluster[1].transport.set_peers({{3, cluster.address_of(3)}});

  // Node 2's connection to node 1 is closed, and its new ones refused.
  REQUIRE(run_until(io, [&] {
    return cluster[1].transport.counters().bad_hellos > refused_before &&
           !cluster[2].transport.reachable(1);
  }));
  cluster[2].transport.send(1, numbered(2));
  cluster[1].transport.send(2, numbered(3));
  CHECK_FALSE(cluster[1].transport.reachable(2));
  CHECK(cluster[1].transport.hello_answer(2) == HelloAnswer::kUnreachable);
  CHECK_FALSE(cluster[1].transport.protocol_version(2));
  run_for(io, 200ms);
  CHECK(cluster[1].received.empty());
  CHECK(cluster[2].received.empty());

  // Node 3 is still a peer.
  cluster[3].transport.send(1, numbered(4));
  REQUIRE(run_until(io, [&] { return cluster[1].received.size() == 1; }));
  CHECK(cluster[1].received[0].from == 3);
  cluster[1].transport.send(3, numbered(5));
  REQUIRE(run_until(io, [&] { return cluster[3].received.size() == 1; }));
}

TEST_CASE("replicas whose protocol ranges do not meet refuse each other", "[transport]") {
  asio::io_context io;
  MixedPair pair(io, {5, 5}, {4, 4});
  // Each has refused the other's hello and learnt of the other's refusal.
  REQUIRE(run_until(io, [&] {
    return pair.one->transport.counters().bad_hello_replies >= 1 &&
           pair.two->transport.counters().bad_hello_replies >= 1 &&
           pair.one->transport.counters().bad_hellos >= 1 &&
           pair.two->transport.counters().bad_hellos >= 1;
  }));
  pair.one->transport.send(2, numbered(1));
  pair.two->transport.send(1, numbered(2));
  run_for(io, 300ms);
  CHECK(pair.one->received.empty());
  CHECK(pair.two->received.empty());
  // A refusing peer is not a peer that answered (the founding check counts on it).
  CHECK(pair.one->transport.hello_answer(2) == HelloAnswer::kUnreachable);
  CHECK(pair.two->transport.hello_answer(1) == HelloAnswer::kUnreachable);
  CHECK_FALSE(pair.one->transport.protocol_version(2));
  CHECK_FALSE(pair.two->transport.protocol_version(1));
  // A refused connection does not end the run of failures: retries back off to
  // reconnect_max (100 ms here, 50 to 100 ms with jitter: at most 20 in a second) rather
  // than knocking every 5 to 10 ms.
  const std::uint64_t refused_before = pair.one->transport.counters().bad_hellos;
  run_for(io, 1s);
  CHECK(pair.one->transport.counters().bad_hellos - refused_before <= 30);
}

TEST_CASE("a transport refuses an empty protocol range", "[transport]") {
  asio::io_context io;
  TransportLimits limits = test_limits();
  limits.protocols = {5, 4};
  CHECK_THROWS_AS(Replica(io, 1, {{2, local_address(1)}}, "127.0.0.1:0", limits),
                  std::invalid_argument);
}

TEST_CASE("a full send queue drops new messages instead of growing", "[transport]") {
  asio::io_context io;
  TransportLimits limits = test_limits();
  limits.max_queue_bytes = 64 << 10;

  SECTION("messages sent faster than the io thread writes") {
    Cluster cluster(io, 2, limits);
    cluster.start(1);
    cluster.start(2);
    REQUIRE(run_until(io, [&] { return cluster.all_connected(); }));
    // Without the io thread running nothing is written, so the queue fills at once.
    constexpr std::uint64_t kCount = 100;
    for (std::uint64_t i = 0; i < kCount; ++i) cluster[1].transport.send(2, numbered(i, 16 << 10));
    const std::uint64_t dropped = cluster[1].transport.counters().dropped_queue_full;
    CHECK(dropped > kCount / 2);
    REQUIRE(run_until(io, [&] { return cluster[2].received.size() == kCount - dropped; }));
    // What got through is the oldest messages, in order.
    for (std::uint64_t i = 0; i < kCount - dropped; ++i) {
      CHECK(number_of(cluster[2].received[i]) == i);
    }
  }

  SECTION("a peer that stops reading") {
    // Accepts the connection, answers the hello and never reads from it. Named
    // "localhost", so that the sender goes through the resolver.
    tcp::acceptor stuck_peer(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::socket stuck_socket(io);
    const std::string reply =
        hello_reply_frame(HelloReply{false, kPeerProtocolMax, kProductProtocols});
    stuck_peer.async_accept(stuck_socket, [&](const boost::system::error_code& error) {
      if (!error) asio::write(stuck_socket, asio::buffer(reply));
    });
    PeerTransport sender(
        io, 1, kFingerprint,
        {{2, "localhost:" + std::to_string(stuck_peer.local_endpoint().port())}}, "127.0.0.1:0",
        [](NodeId, PeerMessage) {}, limits);
    sender.start();
    REQUIRE(run_until(io, [&] { return sender.protocol_version(2).has_value(); }));
    // Far more than the socket buffers hold: once they are full the queue fills and
    // stays bounded.
    constexpr std::uint64_t kCount = 4000;
    for (std::uint64_t i = 0; i < kCount; ++i) {
      sender.send(2, numbered(i, 16 << 10));
      if (i % 20 == 0) run_for(io, 1ms);
    }
    const TransportCounters counters = sender.counters();
    CHECK(counters.dropped_queue_full > 0);
    CHECK(counters.frames_sent + counters.dropped_queue_full <= kCount);
    CHECK(counters.frames_sent + counters.dropped_queue_full +
              (limits.max_queue_bytes / (16 << 10)) >=
          kCount);
    CHECK(sender.reachable(2));
  }
}

TEST_CASE("stop silences the transport and is safe to repeat", "[transport]") {
  asio::io_context io;
  Cluster cluster(io, 2);
  cluster.start(1);
  cluster.start(2);
  REQUIRE(run_until(io, [&] { return cluster.all_connected(); }));

  for (std::uint64_t i = 0; i < 100; ++i) cluster[1].transport.send(2, numbered(i));
  run_for(io, 1ms);  // some may be delivered already
  cluster[2].transport.stop();
  const std::size_t delivered = cluster[2].received.size();
  run_for(io, 100ms);
  CHECK(cluster[2].received.size() == delivered);
  cluster[2].transport.stop();
  cluster[2].transport.send(1, numbered(0));
  REQUIRE(run_until(io, [&] { return !cluster[1].transport.reachable(2); }));

  // Destroyed with handlers still pending: they must not touch the transport.
  cluster[1].transport.send(2, numbered(1));
  cluster.destroy(1);
  cluster.destroy(2);
  run_for(io, 50ms);
}

TEST_CASE("bad addresses are reported", "[transport]") {
  asio::io_context io;
  tcp::acceptor taken(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const std::string address = local_address(taken.local_endpoint().port());
  PeerTransport transport(io, 1, kFingerprint, {}, address, [](NodeId, PeerMessage) {});
  CHECK_THROWS_AS(transport.start(), std::runtime_error);

  const auto construct = [&](std::map<NodeId, std::string> peers, std::string listen) {
    PeerTransport bad(io, 1, kFingerprint, std::move(peers), std::move(listen),
                      [](NodeId, PeerMessage) {});
  };
  CHECK_THROWS_AS(construct({}, "no-port"), std::invalid_argument);
  CHECK_THROWS_AS(construct({}, "127.0.0.1:70000"), std::invalid_argument);
  CHECK_THROWS_AS(construct({{2, "::1:5"}}, "127.0.0.1:0"), std::invalid_argument);
  CHECK_THROWS_AS(construct({{1, "127.0.0.1:5"}}, "127.0.0.1:0"), std::invalid_argument);
  CHECK_NOTHROW(construct({{2, "[::1]:5"}, {3, "localhost:6"}}, "127.0.0.1:0"));

  PeerTransport unbound(io, 1, kFingerprint, {{2, "127.0.0.1:0"}}, "127.0.0.1:0",
                        [](NodeId, PeerMessage) {});
  CHECK(unbound.listening_port() == 0);
  unbound.bind();
  CHECK(unbound.listening_port() != 0);
  CHECK_THROWS_AS(unbound.set_peer_address(3, "127.0.0.1:5"), std::invalid_argument);
  CHECK_THROWS_AS(unbound.set_peer_address(2, "nonsense"), std::invalid_argument);
}

}  // namespace
}  // namespace paxoskv

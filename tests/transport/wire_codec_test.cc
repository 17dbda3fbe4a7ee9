// The wire codec of peer messages: round trips, and rejection of every kind of malformed input,
// in each peer protocol version.
#include "src/transport/wire_codec.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace paxoskv::wire {

using namespace consensus;
using anti_entropy::SyncReply;
using anti_entropy::SyncRequest;
using membership::KeyListReply;
using membership::KeyListRequest;

namespace {

// The peer protocol versions the codec speaks: without and with the configuration version.
constexpr std::uint8_t kV4 = 4;
constexpr std::uint8_t kV5 = kMembershipProtocol;
constexpr std::uint8_t kV6 = kLeaseProtocol;

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint32_t kMaxU32 = std::numeric_limits<std::uint32_t>::max();

// Field-by-field equality: a codec that dropped a field would still re-encode to the
// same bytes, so round trips compare the decoded message itself.
auto fields_of(const Prepare& m) {
  return std::tie(m.key, m.slot, m.ballot, m.incarnation, m.config);
}
auto fields_of(const Promise& m) {
  return std::tie(m.key, m.slot, m.ballot, m.accepted);
}
auto fields_of(const Reject& m) {
  return std::tie(m.key, m.slot, m.ballot, m.promised);
}
auto fields_of(const Accept& m) {
  return std::tie(m.key, m.slot, m.ballot, m.value, m.op, m.incarnation, m.config, m.lease);
}
auto fields_of(const Accepted& m) {
  return std::tie(m.key, m.slot, m.ballot);
}
auto fields_of(const Commit& m) {
  return std::tie(m.key, m.slot, m.ballot, m.incarnation);
}
auto fields_of(const CatchUpRequest& m) {
  return std::tie(m.key, m.have);
}
auto fields_of(const CatchUpReply& m) {
  return std::tie(m.key, m.version, m.value, m.writers, m.lease);
}
auto fields_of(const ReadQuery& m) {
  return std::tie(m.key, m.read_id, m.have, m.config);
}
auto fields_of(const ReadReply& m) {
  return std::tie(m.key, m.read_id, m.version, m.state, m.writers, m.accepted_slot, m.lease);
}
auto fields_of(const SyncRequest& m) {
  return std::tie(m.after_index, m.limit);
}
auto fields_of(const ForwardRequest& m) {
  return std::tie(m.key, m.seq, m.remove, m.value, m.expected, m.timeout_ms, m.lease);
}
auto fields_of(const ForwardWithdraw& m) {
  return std::tie(m.key, m.seq, m.incarnation);
}
auto fields_of(const ForwardWithdrawn& m) {
  return std::tie(m.key, m.seq);
}
auto fields_of(const ForwardReply& m) {
  return std::tie(m.key, m.seq, m.outcome, m.version, m.value, m.incarnation);
}
auto fields_of(const KeepAlive& m) {
  return std::tie(m.key, m.request, m.config);
}
auto fields_of(const KeepAliveAck& m) {
  return std::tie(m.key, m.request, m.ok);
}
auto fields_of(const KeyListRequest& m) {
  return std::tie(m.request_id, m.config, m.after, m.limit);
}
auto fields_of(const KeyListReply& m) {
  return std::tie(m.request_id, m.keys, m.more);
}

template <typename M>
bool same(const M& a, const M& b) {
  return fields_of(a) == fields_of(b);
}

bool same(const SyncReply& a, const SyncReply& b) {
  if (a.entries.size() != b.entries.size()) return false;
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    if (!same(a.entries[i], b.entries[i])) return false;
  }
  return a.next_index == b.next_index && a.more == b.more && a.epoch == b.epoch;
}

// A Message, or a PeerMessage (which may hold a Message).
template <typename... Alternatives>
bool same(const std::variant<Alternatives...>& a, const std::variant<Alternatives...>& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& left) { return same(left, std::get<std::decay_t<decltype(left)>>(b)); }, a);
}

// Which message type `message` is, one number per wire tag.
std::size_t type_of(const PeerMessage& message) {
  if (const auto* consensus_message = std::get_if<Message>(&message)) {
    return consensus_message->index();
  }
  return std::variant_size_v<Message> + message.index();
}

constexpr std::size_t kMessageTypes =
    std::variant_size_v<Message> + std::variant_size_v<PeerMessage> - 1;
// Those of protocol 5: all but the keepalives; of protocol 4: nor the key list messages.
constexpr std::size_t kVersion5MessageTypes = kMessageTypes - 2;
constexpr std::size_t kVersion4MessageTypes = kVersion5MessageTypes - 2;

std::size_t message_types(std::uint8_t version) {
  if (version >= kLeaseProtocol) return kMessageTypes;
  return version >= kMembershipProtocol ? kVersion5MessageTypes : kVersion4MessageTypes;
}

// The encoding of a message that `version` carries.
std::string encoded(const PeerMessage& message, std::uint8_t version) {
  std::optional<std::string> bytes = encode(message, version);
  REQUIRE(bytes.has_value());
  return std::move(*bytes);
}

std::string varint(std::uint64_t value) {
  std::string out;
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

std::string byte(std::uint8_t value) {
  return std::string(1, static_cast<char>(value));
}

const std::string kBinary{"\0\x01\xff\x80 bin\0ary", 12};
const Ballot kMaxBallot{kMaxU64, kMaxU32};
const OpId kMaxOp{kMaxU32, kMaxU64};
const WriterMarks kMaxWriters{{1, kMaxU64, kMaxU64}, {kMaxU32, 1, 0}};

// Every message type, with zero, maximal and awkward field values.
std::vector<PeerMessage> samples() {
  const std::string long_key(1024, 'k');
  const std::string binary_key{"\0\xff", 2};
  const CatchUpReply entry_present{"a", 7, kBinary, {{3, 4, 7}}};
  const CatchUpReply entry_absent{"b", 0, std::nullopt, {}};
  const CatchUpReply entry_empty{binary_key, kMaxU64, std::string{}, kMaxWriters};
  return {
      Prepare{"k", 0, {}},
      Prepare{long_key, kMaxU64, kMaxBallot},
      Prepare{binary_key, 1, {1, 2}, kMaxU64},
      Prepare{"k", 1, {1, 2}, 3, 1},
      Prepare{"k", 1, {1, 2}, 3, kMaxU64},
      Promise{"k", 0, {}, std::nullopt},
      Promise{"k", 5, {6, 7}, AcceptedProposal{5, {6, 7}, std::nullopt, {}}},
      Promise{"k", kMaxU64, kMaxBallot, AcceptedProposal{kMaxU64, kMaxBallot, kBinary, kMaxOp}},
      Promise{"k", 1, {1, 1}, AcceptedProposal{1, {1, 1}, std::string{}, {1, 1}}},
      Reject{"k", 0, {}, {}},
      Reject{"k", kMaxU64, kMaxBallot, kMaxBallot},
      Accept{"k", 0, {}, std::nullopt, {}},
      Accept{"k", 3, {4, 5}, std::string{}, {1, 2}},
      Accept{"k", kMaxU64, kMaxBallot, kBinary, kMaxOp},
      Accept{"k", 1, {1, 1}, std::string(100000, '\0'), {1, 1}, 7},
      Accept{"k", 1, {1, 1}, kBinary, {1, 1}, 7, 300},
      Accepted{"k", 0, {}},
      Accepted{"k", kMaxU64, kMaxBallot},
      Commit{"k", 0, {}},
      Commit{long_key, kMaxU64, kMaxBallot, kMaxU64},
      CatchUpRequest{"k", 0},
      CatchUpRequest{"k", kMaxU64},
      entry_present,
      entry_absent,
      entry_empty,
      ReadQuery{"k", 0, 0},
      ReadQuery{"k", kMaxU64, kMaxU64},
      ReadQuery{"k", 1, 2, kMaxU64},
      ReadReply{"k", 0, 0, std::nullopt, {}, 0},
      ReadReply{"k", 1, 2, KeyValue{std::nullopt}, {{1, 1, 2}}, 3},
      ReadReply{"k", 1, 2, KeyValue{std::string{}}, {{1, 1, 1}, {2, 5, 2}}, 3},
      ReadReply{"k", kMaxU64, kMaxU64, KeyValue{kBinary}, kMaxWriters, kMaxU64},
      SyncRequest{0, 0},
      SyncRequest{kMaxU64, kMaxU32},
      SyncReply{{}, 0, false},
      SyncReply{{entry_present, entry_absent, entry_empty}, kMaxU64, true, kMaxU64},
      ForwardRequest{"k", 0, false, "", std::nullopt, 0},
      ForwardRequest{"k", 1, true, "", Version{0}, 5},
      ForwardRequest{long_key, kMaxU64, false, kBinary, kMaxU64, kMaxU32},
      ForwardReply{"k", 0, 0, 0, std::nullopt},
      ForwardReply{long_key, kMaxU64, 255, kMaxU64, kBinary},
      ForwardReply{binary_key, 1, 2, 3, std::string{}, kMaxU64},
      ForwardWithdraw{"k", 0},
      ForwardWithdraw{long_key, kMaxU64, kMaxU64},
      ForwardWithdrawn{"k", 0},
      ForwardWithdrawn{binary_key, kMaxU64},
      KeyListRequest{0, 0, "", 0},
      KeyListRequest{kMaxU64, kMaxU64, long_key, kMaxU32},
      KeyListRequest{1, 2, binary_key, 100},
      KeyListReply{0, {}, false},
      KeyListReply{kMaxU64, {"a", binary_key, long_key}, true},
      KeepAlive{"k", 0, 0},
      KeepAlive{binary_key, kMaxU64, kMaxU64},
      KeepAliveAck{"k", 0, false},
      KeepAliveAck{long_key, kMaxU64, true},
      Accept{"k", 1, {1, 1}, kBinary, {1, 1}, 7, 300, kMaxU64},
      Promise{"k", 1, {1, 1}, AcceptedProposal{1, {1, 1}, kBinary, {1, 1}, 5}},
      CatchUpReply{"k", 2, kBinary, {{1, 1, 2}}, 9},
      ReadReply{"k", 1, 2, KeyValue{kBinary}, {{1, 1, 2}}, 3, kMaxU64},
      ForwardRequest{"k", 1, false, kBinary, std::nullopt, 5, 77},
  };
}

// The samples `version` carries: in protocol 4, those without a configuration version
// other than 0 and no key list messages.
std::vector<PeerMessage> samples(std::uint8_t version) {
  std::vector<PeerMessage> carried;
  for (const PeerMessage& message : samples()) {
    if (encode(message, version)) carried.push_back(message);
  }
  return carried;
}

// Samples small enough to mutate exhaustively.
std::vector<std::string> small_encodings(std::uint8_t version) {
  std::vector<std::string> out;
  for (const PeerMessage& message : samples(version)) {
    std::string bytes = encoded(message, version);
    if (bytes.size() <= 200) out.push_back(std::move(bytes));
  }
  return out;
}

TEST_CASE("every message type round trips with edge values", "[codec]") {
  const auto version = static_cast<std::uint8_t>(GENERATE(4, 5, 6));
  INFO("peer protocol " << int{version});
  std::set<std::size_t> types_seen;
  for (const PeerMessage& message : samples(version)) {
    types_seen.insert(type_of(message));
    const std::string bytes = encoded(message, version);
    const std::optional<PeerMessage> decoded = decode(bytes, version);
    INFO("message type " << type_of(message));
    REQUIRE(decoded.has_value());
    CHECK(same(*decoded, message));
    CHECK(encode(*decoded, version) == bytes);
  }
  CHECK(types_seen.size() == message_types(version));
}

TEST_CASE("encode appends to the buffer it is given", "[codec]") {
  const auto version = static_cast<std::uint8_t>(GENERATE(4, 5, 6));
  std::string out = "prefix";
  const Message message = Commit{"k", 1, {2, 3}};
  CHECK(encode(message, version, out));
  CHECK(out == "prefix" + encoded(message, version));
}

TEST_CASE("the wire form is pinned", "[codec]") {
  // Tag 0, key length 1, 'k', slot 1, ballot round 2 node 3, incarnation 4.
  CHECK(encode(Prepare{"k", 1, {2, 3}, 4}, kV4) == std::string{"\x00\x01k\x01\x02\x03\x04", 7});
  // Tag 11, no entries, next_index 300 (0xac 0x02), more, epoch 5.
  CHECK(encode(SyncReply{{}, 300, true, 5}, kV4) == std::string{"\x0b\x00\xac\x02\x01\x05", 6});
  // Tag 3, presence byte 1 then the value's length and bytes.
  CHECK(encode(Accept{"k", 0, {}, std::string{"v"}, {}}, kV4) ==
        std::string{"\x03\x01k\x00\x00\x00\x01\x01v\x00\x00\x00", 12});
}

TEST_CASE("the wire form of protocol 5 is pinned", "[codec]") {
  // As in protocol 4, then the configuration version: 6, or 300 (0xac 0x02).
  CHECK(encode(Prepare{"k", 1, {2, 3}, 4, 6}, kV5) ==
        std::string{"\x00\x01k\x01\x02\x03\x04\x06", 8});
  CHECK(encode(Accept{"k", 0, {}, std::string{"v"}, {}, 0, 300}, kV5) ==
        std::string{"\x03\x01k\x00\x00\x00\x01\x01v\x00\x00\x00\xac\x02", 14});
  // Tag 8, key, read_id 1, have 2, config 0.
  CHECK(encode(ReadQuery{"k", 1, 2, 0}, kV5) == std::string{"\x08\x01k\x01\x02\x00", 6});
  // Messages without a configuration version are the same as in protocol 4.
  CHECK(encode(SyncReply{{}, 300, true, 5}, kV5) == std::string{"\x0b\x00\xac\x02\x01\x05", 6});
  // Tag 16, request_id 7, after "k", limit 300.
  CHECK(encode(KeyListRequest{7, 5, "k", 300}, kV5) == std::string{"\x10\x07\x05\x01k\xac\x02", 7});
  // Tag 17, request_id 7, two keys, more.
  CHECK(encode(KeyListReply{7, {"a", "bc"}, true}, kV5) ==
        std::string{"\x11\x07\x02\x01\x61\x02\x62\x63\x01", 9});
}

TEST_CASE("protocol 6 adds the lease id and the keepalives; protocol 5 cannot carry them",
          "[codec]") {
  // As in protocol 5, then the lease id (0 when none).
  CHECK(encode(Accept{"k", 0, {}, std::string{"v"}, {}, 0, 300, 5}, kV6) ==
        std::string{"\x03\x01k\x00\x00\x00\x01\x01v\x00\x00\x00\xac\x02\x05", 15});
  CHECK(encode(Accept{"k", 0, {}, std::string{"v"}, {}, 0, 300}, kV6) ==
        encoded(Accept{"k", 0, {}, std::string{"v"}, {}, 0, 300}, kV5) + std::string(1, '\0'));
  // Tag 18, key, request 7, configuration 3; tag 19, key, request 7, ok.
  CHECK(encode(KeepAlive{"k", 7, 3}, kV6) == std::string{"\x12\x01k\x07\x03", 5});
  CHECK(encode(KeepAliveAck{"k", 7, true}, kV6) == std::string{"\x13\x01k\x07\x01", 5});
  std::string out;
  CHECK_FALSE(encode(Message{Accept{"k", 1, {2, 3}, std::string{"v"}, {}, 0, 0, 5}}, kV5, out));
  CHECK_FALSE(encode(Message{KeepAlive{"k", 1}}, kV5, out));
  CHECK_FALSE(encode(Message{KeepAliveAck{"k", 1, true}}, kV5, out));
  CHECK(out.empty());
}

TEST_CASE("protocol 4 cannot carry a configuration version or the key list messages", "[codec]") {
  // A configuration version of 0 is the one protocol 4 implies.
  CHECK(encode(Prepare{"k", 1, {2, 3}, 4, 0}, kV4) == encode(Prepare{"k", 1, {2, 3}, 4}, kV4));
  std::string out = "prefix";
  CHECK_FALSE(encode(Message{Prepare{"k", 1, {2, 3}, 4, 1}}, kV4, out));
  CHECK_FALSE(encode(Message{Accept{"k", 1, {2, 3}, std::nullopt, {}, 0, 1}}, kV4, out));
  CHECK_FALSE(encode(Message{ReadQuery{"k", 1, 2, kMaxU64}}, kV4, out));
  CHECK_FALSE(encode(KeyListRequest{1, 1, "", 10}, kV4, out));
  CHECK_FALSE(encode(KeyListReply{1, {"a"}, false}, kV4, out));
  CHECK(out == "prefix");  // nothing written

  // Decoded in protocol 4, the configuration version is 0; the bytes of one protocol are
  // not a message of the other.
  const std::string v4_prepare = encoded(Prepare{"k", 1, {2, 3}, 4}, kV4);
  const std::optional<PeerMessage> decoded = decode(v4_prepare, kV4);
  REQUIRE(decoded);
  CHECK(std::get<Prepare>(std::get<Message>(*decoded)).config == 0);
  CHECK_FALSE(decode(v4_prepare, kV5));
  CHECK_FALSE(decode(encoded(Prepare{"k", 1, {2, 3}, 4}, kV5), kV4));
  // The key list tags are unknown to protocol 4.
  for (const PeerMessage& message :
       {PeerMessage{KeyListRequest{1, 1, "", 10}}, PeerMessage{KeyListReply{1, {"a"}, false}}}) {
    const std::string bytes = encoded(message, kV5);
    CHECK(decode(bytes, kV5));
    CHECK_FALSE(decode(bytes, kV4));
  }
}

TEST_CASE("every strict prefix of an encoding is rejected", "[codec]") {
  const auto version = static_cast<std::uint8_t>(GENERATE(4, 5, 6));
  for (const PeerMessage& message : samples(version)) {
    const std::string bytes = encoded(message, version);
    for (std::size_t length = 0; length < bytes.size(); ++length) {
      INFO("message type " << type_of(message) << ", prefix length " << length);
      REQUIRE_FALSE(decode(std::string_view(bytes).substr(0, length), version).has_value());
    }
  }
}

TEST_CASE("trailing bytes are rejected", "[codec]") {
  const auto version = static_cast<std::uint8_t>(GENERATE(4, 5, 6));
  for (const PeerMessage& message : samples(version)) {
    const std::string bytes = encoded(message, version);
    CHECK_FALSE(decode(bytes + byte(0), version).has_value());
    CHECK_FALSE(decode(bytes + "x", version).has_value());
    CHECK_FALSE(decode(bytes + bytes, version).has_value());
  }
}

TEST_CASE("a changed byte is rejected or decodes to its own canonical encoding", "[codec]") {
  const auto version = static_cast<std::uint8_t>(GENERATE(4, 5, 6));
  std::size_t accepted = 0;
  for (const std::string& original : small_encodings(version)) {
    for (std::size_t position = 0; position < original.size(); ++position) {
      for (int delta = 1; delta < 256; ++delta) {
        std::string mutated = original;
        mutated[position] = static_cast<char>(static_cast<std::uint8_t>(mutated[position]) ^ delta);
        const std::optional<PeerMessage> decoded = decode(mutated, version);
        if (!decoded) continue;
        ++accepted;
        INFO("position " << position << " xor " << delta);
        REQUIRE(encode(*decoded, version) == mutated);
      }
    }
  }
  CHECK(accepted > 0);  // the property was exercised, not vacuous
}

TEST_CASE("random bytes never crash the decoder", "[codec]") {
  const auto version = static_cast<std::uint8_t>(GENERATE(4, 5, 6));
  std::mt19937_64 random(20240611);
  std::uniform_int_distribution<int> any_byte(0, 255);
  std::uniform_int_distribution<int> small_byte(0, 3);
  std::uniform_int_distribution<std::size_t> any_length(0, 48);
  std::size_t accepted = 0;
  for (int round = 0; round < 200000; ++round) {
    std::string bytes(any_length(random), '\0');
    for (char& b : bytes) {
      // Mostly small bytes, so that lengths, flags and tags are often plausible and the
      // decoder gets past the first field.
      b = static_cast<char>(round % 2 == 0 ? any_byte(random) : small_byte(random));
    }
    if (!bytes.empty() && round % 4 < 3) {
      bytes[0] = static_cast<char>(round % kMessageTypes);
    }
    const std::optional<PeerMessage> decoded = decode(bytes, version);
    if (decoded) {
      ++accepted;
      REQUIRE(encode(*decoded, version) == bytes);
    }
  }
  CHECK(accepted > 0);
}

TEST_CASE("malformed inputs are rejected", "[codec]") {
  const auto version = static_cast<std::uint8_t>(GENERATE(4, 5, 6));
  INFO("peer protocol " << int{version});
  const auto decode = [version](std::string_view bytes) { return wire::decode(bytes, version); };
  const std::string zero = byte(0);
  const std::string one = byte(1);
  // What closes a Prepare, Accept or ReadQuery: configuration version 0, from protocol 5 on.
  const std::string config = version >= kMembershipProtocol ? zero : "";
  // What closes a message that carries a value or an applied state: lease 0, from 6 on.
  const std::string lease = version >= kLeaseProtocol ? zero : "";
  // A valid CatchUpRequest{"k", have}: tag 6, key, have.
  const auto catch_up_request = [&](const std::string& have) { return byte(6) + one + "k" + have; };
  REQUIRE(decode(catch_up_request(zero)).has_value());

  SECTION("empty input") {
    CHECK_FALSE(decode("").has_value());
  }

  SECTION("unknown tags") {
    for (int tag = static_cast<int>(message_types(version)); tag < 256; ++tag) {
      CHECK_FALSE(decode(byte(static_cast<std::uint8_t>(tag)) + one + "k" + zero).has_value());
    }
  }

  SECTION("varints longer than ten bytes") {
    CHECK_FALSE(decode(catch_up_request(std::string(10, '\x80') + zero)).has_value());
    CHECK_FALSE(decode(catch_up_request(std::string(11, '\xff') + one)).has_value());
  }

  SECTION("varints overflowing 64 bits") {
    CHECK(decode(catch_up_request(varint(kMaxU64))).has_value());
    CHECK(varint(kMaxU64) == std::string(9, '\xff') + one);
    CHECK_FALSE(decode(catch_up_request(std::string(9, '\xff') + byte(2))).has_value());
    CHECK_FALSE(decode(catch_up_request(std::string(9, '\x80') + byte(0x7f))).has_value());
  }

  SECTION("non-canonical varints") {
    CHECK_FALSE(decode(catch_up_request(std::string{"\x80\x00", 2})).has_value());
    CHECK_FALSE(decode(catch_up_request(std::string{"\x81\x80\x00", 3})).has_value());
  }

  SECTION("u32 fields over 2^32-1") {
    // SyncRequest: tag 10, after_index, limit.
    CHECK(decode(byte(10) + zero + varint(kMaxU32)).has_value());
    CHECK_FALSE(decode(byte(10) + zero + varint(std::uint64_t{kMaxU32} + 1)).has_value());
    // Prepare's ballot node.
    CHECK(decode(byte(0) + one + "k" + zero + zero + varint(kMaxU32) + zero + config).has_value());
    CHECK_FALSE(
        decode(byte(0) + one + "k" + zero + zero + varint(kMaxU64) + zero + config).has_value());
  }

  SECTION("u8 fields over 255") {
    // ForwardReply: tag 13, key, seq, outcome, version, value, incarnation.
    CHECK(decode(byte(13) + one + "k" + zero + varint(255) + zero + zero + zero).has_value());
    CHECK_FALSE(decode(byte(13) + one + "k" + zero + varint(256) + zero + zero + zero).has_value());
  }

  SECTION("lengths beyond the remaining bytes") {
    // Accept with a value claiming more bytes than follow.
    const std::string head = byte(3) + one + "k" + zero + zero + zero + one;
    CHECK(decode(head + varint(2) + "vv" + zero + zero + zero + config + lease).has_value());
    CHECK_FALSE(decode(head + varint(5) + "vv" + zero + zero + zero + config + lease).has_value());
    CHECK_FALSE(decode(head + varint(kMaxU64) + "vv").has_value());
    CHECK_FALSE(decode(byte(6) + varint(kMaxU64) + "k" + zero).has_value());
  }

  SECTION("presence bytes other than 0 and 1") {
    const std::string head = byte(3) + one + "k" + zero + zero + zero;
    CHECK(decode(head + zero + zero + zero + zero + config + lease).has_value());
    CHECK_FALSE(decode(head + byte(2) + zero + zero + zero + config + lease).has_value());
    CHECK_FALSE(decode(head + byte(0xff) + zero + zero + zero + config + lease).has_value());
    // ForwardRequest's `remove` flag and `expected` presence.
    const std::string forward = byte(12) + one + "k" + zero;
    CHECK(decode(forward + one + zero + one + zero + zero + lease).has_value());
    CHECK_FALSE(decode(forward + byte(2) + zero + one + zero + zero + lease).has_value());
    CHECK_FALSE(decode(forward + zero + zero + byte(2) + zero + zero + lease).has_value());
    // SyncReply's `more` flag.
    CHECK(decode(byte(11) + zero + zero + one + zero).has_value());
    CHECK_FALSE(decode(byte(11) + zero + zero + byte(2) + zero).has_value());
  }

  SECTION("keys that are empty or longer than 1024 bytes") {
    CHECK_FALSE(decode(byte(6) + zero + zero).has_value());
    CHECK(decode(byte(6) + varint(1024) + std::string(1024, 'k') + zero).has_value());
    CHECK_FALSE(decode(byte(6) + varint(1025) + std::string(1025, 'k') + zero).has_value());
    // A key inside a SyncReply entry.
    CHECK_FALSE(
        decode(byte(11) + one + zero + zero + zero + zero + zero + zero + zero + zero).has_value());
  }

  SECTION("writer marks out of node order or repeated") {
    // CatchUpReply: tag 7, key, version, value, then marks (node, seq, version).
    const std::string head = byte(7) + one + "k" + zero + zero + varint(2);
    CHECK(decode(head + one + one + one + byte(2) + one + one + lease).has_value());
    CHECK_FALSE(decode(head + byte(2) + one + one + one + one + one + lease).has_value());
    CHECK_FALSE(decode(head + one + one + one + one + byte(2) + one + lease).has_value());
  }

  SECTION("SyncReply with more than 100000 entries") {
    // Entry: key "k", version 0, absent value, no writer marks (and lease 0).
    const std::string entry = one + "k" + zero + zero + zero + lease;
    std::string entries;
    for (int i = 0; i < 100000; ++i) entries += entry;
    CHECK(decode(byte(11) + varint(100000) + entries + zero + zero + zero).has_value());
    CHECK_FALSE(
        decode(byte(11) + varint(100001) + entries + entry + zero + zero + zero).has_value());
    // A huge count with few bytes behind it is rejected before anything is allocated.
    CHECK_FALSE(decode(byte(11) + varint(kMaxU64) + entry + zero + zero + zero).has_value());
  }
}

TEST_CASE("key list messages are bounded", "[codec]") {
  const auto decode = [](std::string_view bytes) { return wire::decode(bytes, kV5); };
  const std::string zero = byte(0);
  const std::string one = byte(1);
  // KeyListRequest: tag 16, request_id, config, after, limit.
  SECTION("the key to list after is empty or a key") {
    CHECK(decode(byte(16) + zero + zero + zero + zero).has_value());
    CHECK(
        decode(byte(16) + zero + zero + varint(1024) + std::string(1024, 'k') + zero).has_value());
    CHECK_FALSE(
        decode(byte(16) + zero + zero + varint(1025) + std::string(1025, 'k') + zero).has_value());
    CHECK_FALSE(
        decode(byte(16) + zero + zero + zero + varint(std::uint64_t{kMaxU32} + 1)).has_value());
  }
  // KeyListReply: tag 17, request_id, keys, more.
  SECTION("listed keys are keys") {
    CHECK(decode(byte(17) + zero + one + one + "k" + zero).has_value());
    CHECK_FALSE(decode(byte(17) + zero + one + zero + zero).has_value());  // an empty key
    CHECK(decode(byte(17) + zero + one + varint(1024) + std::string(1024, 'k') + zero).has_value());
    CHECK_FALSE(
        decode(byte(17) + zero + one + varint(1025) + std::string(1025, 'k') + zero).has_value());
    CHECK_FALSE(decode(byte(17) + zero + zero + byte(2)).has_value());  // `more` not a flag
  }
  SECTION("at most 100000 keys") {
    std::string keys;
    for (int i = 0; i < 100000; ++i) keys += one + "k";
    CHECK(decode(byte(17) + zero + varint(100000) + keys + zero).has_value());
    CHECK_FALSE(decode(byte(17) + zero + varint(100001) + keys + one + "k" + zero).has_value());
    // A huge count with few bytes behind it is rejected before anything is allocated.
    CHECK_FALSE(decode(byte(17) + zero + varint(kMaxU64) + one + "k" + zero).has_value());
  }
}

}  // namespace
}  // namespace paxoskv::wire

// Wire form: a one-byte tag naming the message type, then its fields in a fixed order.
//   integers   unsigned LEB128 varint, canonical (no redundant trailing zero groups),
//              also for 32- and 8-bit fields, which reject values beyond their range
//   keys       varint length (1..kKeyBytesLimit) then the bytes
//   bytes      varint length then the bytes
//   values     KeyValue: presence byte (0 absent, 1 present) then bytes
//   flags      one byte, 0 or 1
//   optionals  presence byte then the contained field
//   ballots    round, node
//   op ids     node, seq
//   writers    varint count then (node, seq, version) each, nodes strictly increasing
//   lists      varint count then the elements
//   config     from kMembershipProtocol on: the configuration version (varint) closes the
//              messages an acceptor answers; before it the field is not on the wire
//              (decoded as 0), and a message whose config is not 0 cannot be encoded
//   lease      from kLeaseProtocol on: a lease id (varint) closes the messages that carry
//              a value or applied state; before it, as config (0, or not encodable)
// Decoding accepts exactly the canonical encodings, so every accepted byte string
// re-encodes to itself.
#include "src/transport/wire_codec.h"

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <variant>

#include "paxoskv/options.h"

namespace paxoskv::wire {

// The messages are consensus/messages.h's, anti-entropy's and membership's, named here
// without their namespace.
using namespace consensus;
using anti_entropy::SyncReply;
using anti_entropy::SyncRequest;
using membership::KeyListReply;
using membership::KeyListRequest;

namespace {

constexpr std::size_t kMaxSyncEntries = 100000;
constexpr std::size_t kMaxListedKeys = 100000;
constexpr std::size_t kMinListedKeyBytes = 2;  // length and one byte
constexpr std::size_t kMaxVarintBytes = 10;
constexpr std::size_t kMaxWriterMarks = 64;  // one per replica
constexpr std::size_t kMinWriterMarkBytes = 3;

// Explicit constants, not the variant index: reordering `Message` or `PeerMessage` must
// not change the wire. Append new tags; never renumber.
enum class WireTag : std::uint8_t {
  kPrepare = 0,
  kPromise = 1,
  kReject = 2,
  kAccept = 3,
  kAccepted = 4,
  kCommit = 5,
  kCatchUpRequest = 6,
  kCatchUpReply = 7,
  kReadQuery = 8,
  kReadReply = 9,
  kSyncRequest = 10,
  kSyncReply = 11,
  kForwardRequest = 12,
  kForwardReply = 13,
  kForwardWithdraw = 14,
  kForwardWithdrawn = 15,
  kKeyListRequest = 16,  // from kMembershipProtocol on
  kKeyListReply = 17,    // from kMembershipProtocol on
  kKeepAlive = 18,       // from kLeaseProtocol on
  kKeepAliveAck = 19,    // from kLeaseProtocol on
};

// A new alternative of Message or PeerMessage needs a tag here, a case in decode() and
// its fields().
static_assert(std::variant_size_v<Message> == 16 && std::variant_size_v<PeerMessage> == 5,
              "update the codec for the new message");

constexpr WireTag tag_of(const Prepare&) {
  return WireTag::kPrepare;
}
constexpr WireTag tag_of(const Promise&) {
  return WireTag::kPromise;
}
constexpr WireTag tag_of(const Reject&) {
  return WireTag::kReject;
}
constexpr WireTag tag_of(const Accept&) {
  return WireTag::kAccept;
}
constexpr WireTag tag_of(const Accepted&) {
  return WireTag::kAccepted;
}
constexpr WireTag tag_of(const Commit&) {
  return WireTag::kCommit;
}
constexpr WireTag tag_of(const CatchUpRequest&) {
  return WireTag::kCatchUpRequest;
}
constexpr WireTag tag_of(const CatchUpReply&) {
  return WireTag::kCatchUpReply;
}
constexpr WireTag tag_of(const ReadQuery&) {
  return WireTag::kReadQuery;
}
constexpr WireTag tag_of(const ReadReply&) {
  return WireTag::kReadReply;
}
constexpr WireTag tag_of(const SyncRequest&) {
  return WireTag::kSyncRequest;
}
constexpr WireTag tag_of(const SyncReply&) {
  return WireTag::kSyncReply;
}
constexpr WireTag tag_of(const ForwardRequest&) {
  return WireTag::kForwardRequest;
}
constexpr WireTag tag_of(const ForwardReply&) {
  return WireTag::kForwardReply;
}
constexpr WireTag tag_of(const ForwardWithdraw&) {
  return WireTag::kForwardWithdraw;
}
constexpr WireTag tag_of(const ForwardWithdrawn&) {
  return WireTag::kForwardWithdrawn;
}
constexpr WireTag tag_of(const KeepAlive&) {
  return WireTag::kKeepAlive;
}
constexpr WireTag tag_of(const KeepAliveAck&) {
  return WireTag::kKeepAliveAck;
}
constexpr WireTag tag_of(const KeyListRequest&) {
  return WireTag::kKeyListRequest;
}
constexpr WireTag tag_of(const KeyListReply&) {
  return WireTag::kKeyListReply;
}

// Writes the fields of one message in peer protocol `version`. A field the version cannot
// carry marks the writer failed; the caller then takes back what was written.
class Writer {
 public:
  Writer(std::string& out, std::uint8_t version) : out_(out), version_(version) {}

  bool ok() const { return !failed_; }

  void u64(std::uint64_t value) {
    while (value >= 0x80) {
      out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
  }
  void u32(std::uint32_t value) { u64(value); }
  void u8(std::uint8_t value) { u64(value); }
  void flag(bool value) { out_.push_back(value ? 1 : 0); }
  void config(std::uint64_t config) {
    if (version_ >= kMembershipProtocol) {
      u64(config);
    } else if (config != 0) {
      failed_ = true;
    }
  }
  void lease(std::uint64_t lease) {
    if (version_ >= kLeaseProtocol) {
      u64(lease);
    } else if (lease != 0) {
      failed_ = true;
    }
  }
  void only_since(std::uint8_t protocol) {
    if (version_ < protocol) failed_ = true;
  }
  void ballot(const Ballot& ballot) {
    u64(ballot.round);
    u32(ballot.node);
  }
  void op(const OpId& op) {
    u32(op.node);
    u64(op.seq);
  }
  // Encoded as given: what breaks a rule is written, and rejected by the reader.
  void require(bool /*rule_holds*/) {}
  // Encoded as given: a key outside 1..kKeyBytesLimit is written, and rejected by the reader.
  void key(const std::string& key) { bytes(key); }
  void key_or_empty(const std::string& key) { bytes(key); }
  void bytes(std::string_view bytes) {
    u64(bytes.size());
    out_.append(bytes);
  }
  void value(const KeyValue& value) {
    optional(value, [this](const std::string& bytes_value) { bytes(bytes_value); });
  }
  template <typename T, typename Field>
  void optional(const std::optional<T>& field, Field&& write) {
    flag(field.has_value());
    if (field) write(*field);
  }
  template <typename T, typename Element>
  void list(const std::vector<T>& items, std::size_t /*max_items*/, std::size_t /*min_item_bytes*/,
            Element&& write) {
    u64(items.size());
    for (const T& item : items) write(item);
  }

 private:
  std::string& out_;
  const std::uint8_t version_;
  bool failed_ = false;
};

// Reads fields from untrusted bytes. The first malformed field marks the reader failed;
// every later read is then a no-op, so callers check ok() once at the end. Fields read as
// peer protocol `version` has them.
class Reader {
 public:
  Reader(std::string_view bytes, std::uint8_t version) : rest_(bytes), version_(version) {}

  bool ok() const { return !failed_; }
  bool done() const { return !failed_ && rest_.empty(); }

  void u64(std::uint64_t& value) {
    value = 0;
    for (std::size_t i = 0; i < kMaxVarintBytes; ++i) {
      std::uint8_t byte = 0;
      if (!next(byte)) return;
      // The tenth group holds bit 63 only.
      if (i == kMaxVarintBytes - 1 && byte > 1) return fail();
      value |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0) {
        // A zero final group after the first is a redundant (non-canonical) encoding.
        if (byte == 0 && i > 0) return fail();
        return;
      }
    }
  }
  void u32(std::uint32_t& value) {
    std::uint64_t wide = 0;
    u64(wide);
    if (wide > std::numeric_limits<std::uint32_t>::max()) return fail();
    value = static_cast<std::uint32_t>(wide);
  }
  void u8(std::uint8_t& value) {
    std::uint64_t wide = 0;
    u64(wide);
    if (wide > std::numeric_limits<std::uint8_t>::max()) return fail();
    value = static_cast<std::uint8_t>(wide);
  }
  void flag(bool& value) {
    std::uint8_t byte = 0;
    if (!next(byte)) return;
    if (byte > 1) return fail();
    value = byte == 1;
  }
  void config(std::uint64_t& config) {
    config = 0;
    if (version_ >= kMembershipProtocol) u64(config);
  }
  void lease(std::uint64_t& lease) {
    lease = 0;
    if (version_ >= kLeaseProtocol) u64(lease);
  }
  void only_since(std::uint8_t protocol) {
    if (version_ < protocol) fail();
  }
  void ballot(Ballot& ballot) {
    u64(ballot.round);
    u32(ballot.node);
  }
  void op(OpId& op) {
    u32(op.node);
    u64(op.seq);
  }
  void require(bool rule_holds) {
    if (!rule_holds) fail();
  }
  void key(std::string& key) {
    bytes(key);
    if (ok() && (key.empty() || key.size() > kKeyBytesLimit)) fail();
  }
  void key_or_empty(std::string& key) {
    bytes(key);
    if (ok() && key.size() > kKeyBytesLimit) fail();
  }
  void bytes(std::string& out) {
    std::uint64_t length = 0;
    u64(length);
    if (!ok()) return;
    if (length > rest_.size()) return fail();
    out.assign(rest_.substr(0, static_cast<std::size_t>(length)));
    rest_.remove_prefix(static_cast<std::size_t>(length));
  }
  void value(KeyValue& value) {
    optional(value, [this](std::string& bytes_value) { bytes(bytes_value); });
  }
  template <typename T, typename Field>
  void optional(std::optional<T>& field, Field&& read) {
    bool present = false;
    flag(present);
    if (!ok() || !present) {
      field.reset();
      return;
    }
    read(field.emplace());
  }
  // `min_item_bytes` bounds the count by the bytes left before anything is allocated.
  template <typename T, typename Element>
  void list(std::vector<T>& items, std::size_t max_items, std::size_t min_item_bytes,
            Element&& read) {
    std::uint64_t count = 0;
    u64(count);
    if (!ok()) return;
    if (count > max_items || count > rest_.size() / min_item_bytes) return fail();
    items.clear();
    items.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count && ok(); ++i) read(items.emplace_back());
  }

 private:
  void fail() { failed_ = true; }

  bool next(std::uint8_t& byte) {
    if (failed_) return false;
    if (rest_.empty()) {
      fail();
      return false;
    }
    byte = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return true;
  }

  std::string_view rest_;
  const std::uint8_t version_;
  bool failed_ = false;
};

// Each message's fields in wire order, shared by the Writer (const message) and the
// Reader (mutable message) so that encoding and decoding cannot drift apart.
template <typename M, typename T>
concept MessageOf = std::same_as<std::remove_const_t<M>, T>;

template <typename Io>
void fields(Io& io, MessageOf<AcceptedProposal> auto& proposal) {
  io.u64(proposal.slot);
  io.ballot(proposal.ballot);
  io.value(proposal.value);
  io.op(proposal.op);
  io.lease(proposal.lease);
}

// One mark per replica, in increasing node order: anything else is malformed.
template <typename Io>
void writer_marks(Io& io, MessageOf<WriterMarks> auto& marks) {
  io.list(marks, kMaxWriterMarks, kMinWriterMarkBytes, [&io](auto& mark) {
    io.u32(mark.node);
    io.u64(mark.seq);
    io.u64(mark.version);
  });
  io.require(std::adjacent_find(marks.begin(), marks.end(), [](const auto& a, const auto& b) {
               return a.node >= b.node;
             }) == marks.end());
}

template <typename Io>
void fields(Io& io, MessageOf<Prepare> auto& m) {
  io.key(m.key);
  io.u64(m.slot);
  io.ballot(m.ballot);
  io.u64(m.incarnation);
  io.config(m.config);
}

template <typename Io>
void fields(Io& io, MessageOf<Promise> auto& m) {
  io.key(m.key);
  io.u64(m.slot);
  io.ballot(m.ballot);
  io.optional(m.accepted, [&io](auto& proposal) { fields(io, proposal); });
}

template <typename Io>
void fields(Io& io, MessageOf<Reject> auto& m) {
  io.key(m.key);
  io.u64(m.slot);
  io.ballot(m.ballot);
  io.ballot(m.promised);
}

template <typename Io>
void fields(Io& io, MessageOf<Accept> auto& m) {
  io.key(m.key);
  io.u64(m.slot);
  io.ballot(m.ballot);
  io.value(m.value);
  io.op(m.op);
  io.u64(m.incarnation);
  io.config(m.config);
  io.lease(m.lease);
}

template <typename Io>
void fields(Io& io, MessageOf<Accepted> auto& m) {
  io.key(m.key);
  io.u64(m.slot);
  io.ballot(m.ballot);
}

template <typename Io>
void fields(Io& io, MessageOf<Commit> auto& m) {
  io.key(m.key);
  io.u64(m.slot);
  io.ballot(m.ballot);
  io.u64(m.incarnation);
}

template <typename Io>
void fields(Io& io, MessageOf<CatchUpRequest> auto& m) {
  io.key(m.key);
  io.u64(m.have);
}

template <typename Io>
void fields(Io& io, MessageOf<CatchUpReply> auto& m) {
  io.key(m.key);
  io.u64(m.version);
  io.value(m.value);
  writer_marks(io, m.writers);
  io.lease(m.lease);
}

template <typename Io>
void fields(Io& io, MessageOf<ReadQuery> auto& m) {
  io.key(m.key);
  io.u64(m.read_id);
  io.u64(m.have);
  io.config(m.config);
}

template <typename Io>
void fields(Io& io, MessageOf<ReadReply> auto& m) {
  io.key(m.key);
  io.u64(m.read_id);
  io.u64(m.version);
  io.optional(m.state, [&io](auto& state) { io.value(state); });
  writer_marks(io, m.writers);
  io.u64(m.accepted_slot);
  io.lease(m.lease);
}

template <typename Io>
void fields(Io& io, MessageOf<SyncRequest> auto& m) {
  io.u64(m.after_index);
  io.u32(m.limit);
}

// Smallest CatchUpReply: 1-byte key with its length, version, presence byte, mark count.
constexpr std::size_t kMinCatchUpReplyBytes = 5;

template <typename Io>
void fields(Io& io, MessageOf<SyncReply> auto& m) {
  io.list(m.entries, kMaxSyncEntries, kMinCatchUpReplyBytes,
          [&io](auto& entry) { fields(io, entry); });
  io.u64(m.next_index);
  io.flag(m.more);
  io.u64(m.epoch);
}

template <typename Io>
void fields(Io& io, MessageOf<ForwardRequest> auto& m) {
  io.key(m.key);
  io.u64(m.seq);
  io.flag(m.remove);
  io.bytes(m.value);
  io.optional(m.expected, [&io](auto& expected) { io.u64(expected); });
  io.u32(m.timeout_ms);
  io.lease(m.lease);
}

template <typename Io>
void fields(Io& io, MessageOf<ForwardReply> auto& m) {
  io.key(m.key);
  io.u64(m.seq);
  io.u8(m.outcome);
  io.u64(m.version);
  io.value(m.value);
  io.u64(m.incarnation);
}

template <typename Io>
void fields(Io& io, MessageOf<ForwardWithdraw> auto& m) {
  io.key(m.key);
  io.u64(m.seq);
  io.u64(m.incarnation);
}

template <typename Io>
void fields(Io& io, MessageOf<ForwardWithdrawn> auto& m) {
  io.key(m.key);
  io.u64(m.seq);
}

template <typename Io>
void fields(Io& io, MessageOf<KeepAlive> auto& m) {
  io.only_since(kLeaseProtocol);
  io.key(m.key);
  io.u64(m.request);
  io.u64(m.config);
}

template <typename Io>
void fields(Io& io, MessageOf<KeepAliveAck> auto& m) {
  io.only_since(kLeaseProtocol);
  io.key(m.key);
  io.u64(m.request);
  io.flag(m.ok);
}

template <typename Io>
void fields(Io& io, MessageOf<KeyListRequest> auto& m) {
  io.only_since(kMembershipProtocol);
  io.u64(m.request_id);
  io.u64(m.config);
  io.key_or_empty(m.after);
  io.u32(m.limit);
}

template <typename Io>
void fields(Io& io, MessageOf<KeyListReply> auto& m) {
  io.only_since(kMembershipProtocol);
  io.u64(m.request_id);
  io.list(m.keys, kMaxListedKeys, kMinListedKeyBytes, [&io](auto& key) { io.key(key); });
  io.flag(m.more);
}

template <typename M, typename Variant>
constexpr bool kAlternativeOf = false;
template <typename M, typename... Alternatives>
constexpr bool kAlternativeOf<M, std::variant<Alternatives...>> =
    (std::is_same_v<M, Alternatives> || ...);

template <typename M>
std::optional<PeerMessage> decode_as(Reader& reader) {
  M message;
  fields(reader, message);
  if (!reader.done()) return std::nullopt;
  if constexpr (kAlternativeOf<M, Message>) {
    return PeerMessage{std::in_place_type<Message>, std::move(message)};
  } else {
    return PeerMessage{std::move(message)};
  }
}

template <typename M>
bool encode_one(const M& message, std::uint8_t version, std::string& out) {
  const std::size_t start = out.size();
  out.push_back(static_cast<char>(tag_of(message)));
  Writer writer(out, version);
  fields(writer, message);
  if (writer.ok()) return true;
  out.resize(start);
  return false;
}

}  // namespace

bool encode(const Message& message, std::uint8_t version, std::string& out) {
  return std::visit([&](const auto& alternative) { return encode_one(alternative, version, out); },
                    message);
}

bool encode(const SyncRequest& message, std::uint8_t version, std::string& out) {
  return encode_one(message, version, out);
}

bool encode(const SyncReply& message, std::uint8_t version, std::string& out) {
  return encode_one(message, version, out);
}

bool encode(const KeyListRequest& message, std::uint8_t version, std::string& out) {
  return encode_one(message, version, out);
}

bool encode(const KeyListReply& message, std::uint8_t version, std::string& out) {
  return encode_one(message, version, out);
}

bool encode(const PeerMessage& message, std::uint8_t version, std::string& out) {
  return std::visit([&](const auto& alternative) { return encode(alternative, version, out); },
                    message);
}

std::optional<std::string> encode(const PeerMessage& message, std::uint8_t version) {
  std::string out;
  if (!encode(message, version, out)) return std::nullopt;
  return out;
}

std::optional<PeerMessage> decode(std::string_view bytes, std::uint8_t version) {
  if (bytes.empty()) return std::nullopt;
  const auto tag = static_cast<WireTag>(static_cast<std::uint8_t>(bytes.front()));
  Reader reader(bytes.substr(1), version);
  switch (tag) {
    case WireTag::kPrepare:
      return decode_as<Prepare>(reader);
    case WireTag::kPromise:
      return decode_as<Promise>(reader);
    case WireTag::kReject:
      return decode_as<Reject>(reader);
    case WireTag::kAccept:
      return decode_as<Accept>(reader);
    case WireTag::kAccepted:
      return decode_as<Accepted>(reader);
    case WireTag::kCommit:
      return decode_as<Commit>(reader);
    case WireTag::kCatchUpRequest:
      return decode_as<CatchUpRequest>(reader);
    case WireTag::kCatchUpReply:
      return decode_as<CatchUpReply>(reader);
    case WireTag::kReadQuery:
      return decode_as<ReadQuery>(reader);
    case WireTag::kReadReply:
      return decode_as<ReadReply>(reader);
    case WireTag::kSyncRequest:
      return decode_as<SyncRequest>(reader);
    case WireTag::kSyncReply:
      return decode_as<SyncReply>(reader);
    case WireTag::kForwardRequest:
      return decode_as<ForwardRequest>(reader);
    case WireTag::kForwardReply:
      return decode_as<ForwardReply>(reader);
    case WireTag::kForwardWithdraw:
      return decode_as<ForwardWithdraw>(reader);
    case WireTag::kForwardWithdrawn:
      return decode_as<ForwardWithdrawn>(reader);
    case WireTag::kKeyListRequest:
      return decode_as<KeyListRequest>(reader);
    case WireTag::kKeyListReply:
      return decode_as<KeyListReply>(reader);
    case WireTag::kKeepAlive:
      return decode_as<KeepAlive>(reader);
    case WireTag::kKeepAliveAck:
      return decode_as<KeepAliveAck>(reader);
  }
  return std::nullopt;  // unknown tag
}

}  // namespace paxoskv::wire

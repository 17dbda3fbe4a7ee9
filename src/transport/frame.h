// Framing of the peer protocol. Every frame is a 4-byte big-endian body length followed by
// the body. The first frame a connection carries is a hello naming the sender; every
// later frame is one PeerMessage in its wire form (wire_codec.h). The receiver
// answers a valid hello with one hello reply frame, the only frame that travels back on a
// connection.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/messages.h"
#include "consensus/types.h"
#include "src/anti_entropy/sync_messages.h"
#include "src/membership/key_list_messages.h"
#include "src/transport/peer_message.h"

namespace paxoskv {

inline constexpr std::size_t kFrameHeaderBytes = 4;
using FrameHeader = std::array<unsigned char, kFrameHeaderBytes>;

std::uint32_t frame_body_length(const FrameHeader& header);

// A message's complete frame (header and body) in a peer protocol version, or why there
// is none.
struct MessageFrame {
  enum class Problem {
    kNone,
    kTooLarge,      // the body would be longer than the limit
    kNotInVersion,  // the version cannot carry the message (see wire_codec.h)
  };
  std::string bytes;  // empty unless problem is kNone
  Problem problem = Problem::kNone;
};

MessageFrame message_frame(const consensus::Message& message, std::uint8_t version,
                           std::size_t max_body_bytes);
MessageFrame message_frame(const anti_entropy::SyncRequest& message, std::uint8_t version,
                           std::size_t max_body_bytes);
MessageFrame message_frame(const anti_entropy::SyncReply& message, std::uint8_t version,
                           std::size_t max_body_bytes);
MessageFrame message_frame(const membership::KeyListRequest& message, std::uint8_t version,
                           std::size_t max_body_bytes);
MessageFrame message_frame(const membership::KeyListReply& message, std::uint8_t version,
                           std::size_t max_body_bytes);
MessageFrame message_frame(const PeerMessage& message, std::uint8_t version,
                           std::size_t max_body_bytes);

// Peer protocol versions. Each replica speaks a range of them and says which in its
// hello; a connection speaks the highest version both ends speak, so a cluster can be
// upgraded one replica at a time as long as the ranges of old and new replicas meet.
// 4: the hello carries the sender's range and the reply the chosen version. Versions 3
// and earlier had no range (their hello says only "3"): this product cannot talk to them.
// 5: the messages an acceptor answers carry the configuration version, and the key list
// messages of a configuration change exist (wire::kMembershipProtocol).
// 6: proposals and applied states carry a lease id, and lease keepalives exist
// (wire::kLeaseProtocol).
inline constexpr std::uint8_t kPeerProtocolMin = 4;
inline constexpr std::uint8_t kPeerProtocolMax = 6;

// An inclusive range of peer protocol versions, min <= max, both at least 1 (0 stands
// for "no version" in a hello reply).
struct ProtocolRange {
  std::uint8_t min = kPeerProtocolMin;
  std::uint8_t max = kPeerProtocolMax;
  bool operator==(const ProtocolRange&) const = default;
};

inline constexpr ProtocolRange kProductProtocols{kPeerProtocolMin, kPeerProtocolMax};

bool valid(ProtocolRange range);
// "4..5", for logs.
std::string to_string(ProtocolRange range);
// The highest version both ranges hold, or nullopt if they do not meet.
std::optional<std::uint8_t> negotiate(ProtocolRange ours, ProtocolRange theirs);

// Hello body: magic byte, hello layout byte (4; a hello of protocol 3 and earlier has its
// version there), the sender's lowest and highest protocol version (one byte each),
// sender id (u32 big-endian), fingerprint length (u16 big-endian), fingerprint bytes.
struct Hello {
  consensus::NodeId node = 0;
  std::string cluster_fingerprint;
  ProtocolRange protocols;  // the versions the sender speaks
};

inline constexpr std::size_t kMaxFingerprintBytes = 1024;
inline constexpr std::size_t kMaxHelloBodyBytes = 10 + kMaxFingerprintBytes;

// A complete hello frame. The fingerprint must be at most kMaxFingerprintBytes long and
// the range valid.
std::string hello_frame(const Hello& hello);

struct ParsedHello {
  std::optional<Hello> hello;
  std::string problem;  // why `hello` is absent (owned: some reasons are built here)
};

// Accepts a well-formed hello whatever its range: whether the range meets the
// receiver's is the receiver's question (negotiate()).
ParsedHello parse_hello(std::string_view body);

// Hello reply body: magic byte, hello layout byte (4), the chosen protocol version (0: the
// ranges do not meet and the connection is refused), flags byte (bit 0: `knows_sender`;
// the other bits 0), the answering replica's lowest and highest protocol version.
struct HelloReply {
  // The answering replica has received protocol messages from the hello's sender: a
  // replica under that id has served (see the founding check in src/founding_check.h).
  bool knows_sender = false;
  // What the connection speaks; nullopt: no common version, the answering replica
  // closes the connection after this reply.
  std::optional<std::uint8_t> chosen_version = kPeerProtocolMax;
  ProtocolRange responder_protocols;  // the versions the answering replica speaks
};

inline constexpr std::size_t kHelloReplyBodyBytes = 6;

// A complete hello reply frame.
std::string hello_reply_frame(const HelloReply& reply);

struct ParsedHelloReply {
  std::optional<HelloReply> reply;
  std::string_view problem;  // why `reply` is absent
};

ParsedHelloReply parse_hello_reply(std::string_view body);

}  // namespace paxoskv

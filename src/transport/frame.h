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
#include "src/transport/peer_message.h"

namespace paxoskv {

inline constexpr std::size_t kFrameHeaderBytes = 4;
using FrameHeader = std::array<unsigned char, kFrameHeaderBytes>;

std::uint32_t frame_body_length(const FrameHeader& header);

// A complete frame (header and body) carrying `message`, or nullopt if its body would be
// longer than `max_body_bytes`.
std::optional<std::string> message_frame(const consensus::Message& message,
                                         std::size_t max_body_bytes);
std::optional<std::string> message_frame(const anti_entropy::SyncRequest& message,
                                         std::size_t max_body_bytes);
std::optional<std::string> message_frame(const anti_entropy::SyncReply& message,
                                         std::size_t max_body_bytes);
std::optional<std::string> message_frame(const PeerMessage& message, std::size_t max_body_bytes);

// Hello body: magic byte, version byte, sender id (u32 big-endian), fingerprint length
// (u16 big-endian), fingerprint bytes.
struct Hello {
  consensus::NodeId node = 0;
  std::string cluster_fingerprint;
};

inline constexpr std::size_t kMaxFingerprintBytes = 1024;
inline constexpr std::size_t kMaxHelloBodyBytes = 8 + kMaxFingerprintBytes;

// A complete hello frame. The fingerprint must be at most kMaxFingerprintBytes long.
std::string hello_frame(const Hello& hello);

struct ParsedHello {
  std::optional<Hello> hello;
  std::string problem;  // why `hello` is absent (owned: some reasons are built here)
};

ParsedHello parse_hello(std::string_view body);

// Hello reply body: magic byte, version byte, flags byte (bit 0: `knows_sender`; the
// other bits 0).
struct HelloReply {
  // The answering replica has received protocol messages from the hello's sender: a
  // replica under that id has served (see the founding check in src/founding_check.h).
  bool knows_sender = false;
};

inline constexpr std::size_t kHelloReplyBodyBytes = 3;

// A complete hello reply frame.
std::string hello_reply_frame(const HelloReply& reply);

struct ParsedHelloReply {
  std::optional<HelloReply> reply;
  std::string_view problem;  // why `reply` is absent
};

ParsedHelloReply parse_hello_reply(std::string_view body);

}  // namespace paxoskv

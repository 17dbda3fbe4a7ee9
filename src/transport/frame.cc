#include "src/transport/frame.h"

#include <cassert>
#include <string>

#include "src/transport/wire_codec.h"

namespace paxoskv {
namespace {

// Chosen so that a hello is unlikely to be confused with a stray message or text
// protocol. The version is bumped with any change of the hello layout or of the messages'
// wire form (wire_codec.cc), so replicas that would not understand each other say so
// at the hello. 2: proposer messages carry the proposer's life. 3: a hello is answered
// (whether the receiver knows the sender as having served), and sync replies carry the
// epoch of the sender's change index.
constexpr std::uint8_t kHelloMagic = 0xb7;
constexpr std::uint8_t kHelloReplyMagic = 0xb8;
constexpr std::uint8_t kHelloVersion = 3;
constexpr std::uint8_t kKnowsSenderFlag = 0x01;

void put_big_endian(std::string& out, std::size_t offset, std::uint64_t value, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i) {
    out[offset + i] = static_cast<char>((value >> (8 * (width - 1 - i))) & 0xff);
  }
}

std::uint64_t get_big_endian(std::string_view in, std::size_t offset, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value = (value << 8) | static_cast<std::uint8_t>(in[offset + i]);
  }
  return value;
}

template <typename M>
std::optional<std::string> frame_of(const M& message, std::size_t max_body_bytes) {
  std::string frame(kFrameHeaderBytes, '\0');
  wire::encode(message, frame);
  const std::size_t body_bytes = frame.size() - kFrameHeaderBytes;
  if (body_bytes > max_body_bytes || body_bytes > UINT32_MAX) return std::nullopt;
  put_big_endian(frame, 0, body_bytes, kFrameHeaderBytes);
  return frame;
}

}  // namespace

std::uint32_t frame_body_length(const FrameHeader& header) {
  return (std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
         (std::uint32_t{header[2]} << 8) | std::uint32_t{header[3]};
}

std::optional<std::string> message_frame(const consensus::Message& message,
                                         std::size_t max_body_bytes) {
  return frame_of(message, max_body_bytes);
}

std::optional<std::string> message_frame(const anti_entropy::SyncRequest& message,
                                         std::size_t max_body_bytes) {
  return frame_of(message, max_body_bytes);
}

std::optional<std::string> message_frame(const anti_entropy::SyncReply& message,
                                         std::size_t max_body_bytes) {
  return frame_of(message, max_body_bytes);
}

std::optional<std::string> message_frame(const PeerMessage& message, std::size_t max_body_bytes) {
  return frame_of(message, max_body_bytes);
}

std::string hello_frame(const Hello& hello) {
  assert(hello.cluster_fingerprint.size() <= kMaxFingerprintBytes);
  const std::size_t body_bytes = 8 + hello.cluster_fingerprint.size();
  std::string frame(kFrameHeaderBytes + 8, '\0');
  put_big_endian(frame, 0, body_bytes, kFrameHeaderBytes);
  frame[4] = static_cast<char>(kHelloMagic);
  frame[5] = static_cast<char>(kHelloVersion);
  put_big_endian(frame, 6, hello.node, 4);
  put_big_endian(frame, 10, hello.cluster_fingerprint.size(), 2);
  frame += hello.cluster_fingerprint;
  return frame;
}

ParsedHello parse_hello(std::string_view body) {
  if (body.size() < 8) return {std::nullopt, "hello too short"};
  if (static_cast<std::uint8_t>(body[0]) != kHelloMagic) return {std::nullopt, "not a hello"};
  if (const auto version = static_cast<std::uint8_t>(body[1]); version != kHelloVersion) {
    return {std::nullopt, "peer protocol version " + std::to_string(version) +
                              ", this replica speaks " + std::to_string(kHelloVersion) +
                              ": run the same version on all replicas"};
  }
  const auto fingerprint_bytes = static_cast<std::size_t>(get_big_endian(body, 6, 2));
  if (body.size() != 8 + fingerprint_bytes) return {std::nullopt, "hello length mismatch"};
  Hello hello;
  hello.node = static_cast<consensus::NodeId>(get_big_endian(body, 2, 4));
  hello.cluster_fingerprint = std::string(body.substr(8));
  return {std::move(hello), {}};
}

std::string hello_reply_frame(const HelloReply& reply) {
  std::string frame(kFrameHeaderBytes + kHelloReplyBodyBytes, '\0');
  put_big_endian(frame, 0, kHelloReplyBodyBytes, kFrameHeaderBytes);
  frame[4] = static_cast<char>(kHelloReplyMagic);
  frame[5] = static_cast<char>(kHelloVersion);
  frame[6] = static_cast<char>(reply.knows_sender ? kKnowsSenderFlag : 0);
  return frame;
}

ParsedHelloReply parse_hello_reply(std::string_view body) {
  if (body.size() != kHelloReplyBodyBytes) return {std::nullopt, "hello reply of a wrong length"};
  if (static_cast<std::uint8_t>(body[0]) != kHelloReplyMagic) {
    return {std::nullopt, "not a hello reply"};
  }
  if (static_cast<std::uint8_t>(body[1]) != kHelloVersion) {
    return {std::nullopt, "hello reply of another peer protocol version"};
  }
  const auto flags = static_cast<std::uint8_t>(body[2]);
  if ((flags & ~kKnowsSenderFlag) != 0) return {std::nullopt, "hello reply with unknown flags"};
  return {HelloReply{(flags & kKnowsSenderFlag) != 0}, {}};
}

}  // namespace paxoskv

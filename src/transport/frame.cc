#include "src/transport/frame.h"

#include <algorithm>
#include <cassert>
#include <string>

#include "src/transport/wire_codec.h"

namespace paxoskv {
namespace {

// Chosen so that a hello is unlikely to be confused with a stray message or text
// protocol.
constexpr std::uint8_t kHelloMagic = 0xb7;
constexpr std::uint8_t kHelloReplyMagic = 0xb8;
// The layout of the hello and its reply. Protocol versions 1 to 3 put their version in
// this byte and required the same version at both ends. From 4 on the layout carries
// ranges, so it stays 4 while the protocol versions move within it; it changes only if
// the hello itself must change, which breaks negotiation with every earlier replica.
constexpr std::uint8_t kHelloLayout = 4;
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
MessageFrame frame_of(const M& message, std::uint8_t version, std::size_t max_body_bytes) {
  MessageFrame frame;
  frame.bytes.assign(kFrameHeaderBytes, '\0');
  if (!wire::encode(message, version, frame.bytes)) {
    return {{}, MessageFrame::Problem::kNotInVersion};
  }
  const std::size_t body_bytes = frame.bytes.size() - kFrameHeaderBytes;
  if (body_bytes > max_body_bytes || body_bytes > UINT32_MAX) {
    return {{}, MessageFrame::Problem::kTooLarge};
  }
  put_big_endian(frame.bytes, 0, body_bytes, kFrameHeaderBytes);
  return frame;
}

}  // namespace

std::uint32_t frame_body_length(const FrameHeader& header) {
  return (std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
         (std::uint32_t{header[2]} << 8) | std::uint32_t{header[3]};
}

MessageFrame message_frame(const consensus::Message& message, std::uint8_t version,
                           std::size_t max_body_bytes) {
  return frame_of(message, version, max_body_bytes);
}

MessageFrame message_frame(const anti_entropy::SyncRequest& message, std::uint8_t version,
                           std::size_t max_body_bytes) {
  return frame_of(message, version, max_body_bytes);
}

MessageFrame message_frame(const anti_entropy::SyncReply& message, std::uint8_t version,
                           std::size_t max_body_bytes) {
  return frame_of(message, version, max_body_bytes);
}

MessageFrame message_frame(const membership::KeyListRequest& message, std::uint8_t version,
                           std::size_t max_body_bytes) {
  return frame_of(message, version, max_body_bytes);
}

MessageFrame message_frame(const membership::KeyListReply& message, std::uint8_t version,
                           std::size_t max_body_bytes) {
  return frame_of(message, version, max_body_bytes);
}

MessageFrame message_frame(const PeerMessage& message, std::uint8_t version,
                           std::size_t max_body_bytes) {
  return frame_of(message, version, max_body_bytes);
}

bool valid(ProtocolRange range) {
  return range.min >= 1 && range.min <= range.max;
}

std::string to_string(ProtocolRange range) {
  return std::to_string(range.min) + ".." + std::to_string(range.max);
}

std::optional<std::uint8_t> negotiate(ProtocolRange ours, ProtocolRange theirs) {
  const std::uint8_t highest = std::min(ours.max, theirs.max);
  if (highest < std::max(ours.min, theirs.min)) return std::nullopt;
  return highest;
}

std::string hello_frame(const Hello& hello) {
  assert(hello.cluster_fingerprint.size() <= kMaxFingerprintBytes);
  assert(valid(hello.protocols));
  const std::size_t body_bytes = 10 + hello.cluster_fingerprint.size();
  std::string frame(kFrameHeaderBytes + 10, '\0');
  put_big_endian(frame, 0, body_bytes, kFrameHeaderBytes);
  frame[4] = static_cast<char>(kHelloMagic);
  frame[5] = static_cast<char>(kHelloLayout);
  frame[6] = static_cast<char>(hello.protocols.min);
  frame[7] = static_cast<char>(hello.protocols.max);
  put_big_endian(frame, 8, hello.node, 4);
  put_big_endian(frame, 12, hello.cluster_fingerprint.size(), 2);
  frame += hello.cluster_fingerprint;
  return frame;
}

ParsedHello parse_hello(std::string_view body) {
  if (body.size() < 2) return {std::nullopt, "hello too short"};
  if (static_cast<std::uint8_t>(body[0]) != kHelloMagic) return {std::nullopt, "not a hello"};
  if (const auto layout = static_cast<std::uint8_t>(body[1]); layout != kHelloLayout) {
    return {std::nullopt, "hello of peer protocol " + std::to_string(layout) +
                              ", this replica speaks peer protocol " +
                              to_string(kProductProtocols) +
                              " (replicas before protocol 4 must be upgraded together)"};
  }
  if (body.size() < 10) return {std::nullopt, "hello too short"};
  const ProtocolRange protocols{static_cast<std::uint8_t>(body[2]),
                                static_cast<std::uint8_t>(body[3])};
  if (!valid(protocols)) {
    return {std::nullopt, "hello with an empty protocol range " + to_string(protocols)};
  }
  const auto fingerprint_bytes = get_big_endian(body, 8, 2);
  if (body.size() != 10 + fingerprint_bytes) return {std::nullopt, "hello length mismatch"};
  Hello hello;
  hello.node = static_cast<consensus::NodeId>(get_big_endian(body, 4, 4));
  hello.cluster_fingerprint = std::string(body.substr(10));
  hello.protocols = protocols;
  return {std::move(hello), {}};
}

std::string hello_reply_frame(const HelloReply& reply) {
  assert(valid(reply.responder_protocols));
  assert(!reply.chosen_version || *reply.chosen_version >= 1);
  std::string frame(kFrameHeaderBytes + kHelloReplyBodyBytes, '\0');
  put_big_endian(frame, 0, kHelloReplyBodyBytes, kFrameHeaderBytes);
  frame[4] = static_cast<char>(kHelloReplyMagic);
  frame[5] = static_cast<char>(kHelloLayout);
  frame[6] = static_cast<char>(reply.chosen_version.value_or(0));
  frame[7] = static_cast<char>(reply.knows_sender ? kKnowsSenderFlag : 0);
  frame[8] = static_cast<char>(reply.responder_protocols.min);
  frame[9] = static_cast<char>(reply.responder_protocols.max);
  return frame;
}

ParsedHelloReply parse_hello_reply(std::string_view body) {
  if (body.size() != kHelloReplyBodyBytes) return {std::nullopt, "hello reply of a wrong length"};
  if (static_cast<std::uint8_t>(body[0]) != kHelloReplyMagic) {
    return {std::nullopt, "not a hello reply"};
  }
  if (static_cast<std::uint8_t>(body[1]) != kHelloLayout) {
    return {std::nullopt, "hello reply of another hello layout"};
  }
  const auto flags = static_cast<std::uint8_t>(body[3]);
  if ((flags & ~kKnowsSenderFlag) != 0) return {std::nullopt, "hello reply with unknown flags"};
  const ProtocolRange responder{static_cast<std::uint8_t>(body[4]),
                                static_cast<std::uint8_t>(body[5])};
  if (!valid(responder)) return {std::nullopt, "hello reply with an empty protocol range"};
  HelloReply reply{(flags & kKnowsSenderFlag) != 0, std::nullopt, responder};
  if (const auto chosen = static_cast<std::uint8_t>(body[2]); chosen != 0) {
    if (chosen < responder.min || chosen > responder.max) {
      return {std::nullopt, "hello reply choosing a version outside its own range"};
    }
    reply.chosen_version = chosen;
  }
  return {reply, {}};
}

}  // namespace paxoskv

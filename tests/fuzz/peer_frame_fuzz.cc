// Fuzz target: the bytes a peer sends on a connection. They are cut into frames as the
// inbound connection does (4-byte big-endian length, then the body); the first body is
// parsed as the hello, every later one decoded as a peer message (consensus, anti-entropy
// or membership) of the peer protocol version the hello's range and the product's agree on
// (the product's highest if they do not, to reach more).
//
// With peer TLS on, these are the bytes that come out of the TLS stream: the inbound
// connection reads plain and TLS streams alike (PeerStream) and cuts what it reads into
// frames with this same code (InboundConnection::handle_frames). What comes before, the
// TLS records themselves, is the tls_record target's.
//
// Beyond memory safety it checks the codecs' promises: an accepted hello or message
// re-encodes to exactly the bytes it came from (decoding accepts only canonical forms),
// and a refused hello says why.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "src/transport/frame.h"
#include "src/transport/wire_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace paxoskv::fuzz {
namespace {

// Larger frames are refused by the connection before they are read; a fuzz input is
// much smaller anyway.
constexpr std::uint32_t kMaxFrameBodyBytes = 64 * 1024 * 1024;

// Checks a hello; returns the version its connection's messages are decoded in.
std::uint8_t check_hello(std::string_view body) {
  const ParsedHello parsed = parse_hello(body);
  if (!parsed.hello) {
    // The reason is logged: it must be readable text that outlives the parse.
    check(!parsed.problem.empty(), "a refused hello gives no reason");
    std::size_t printable = 0;
    for (const char c : parsed.problem) printable += (c >= ' ' && c <= '~') ? 1 : 0;
    check(printable == parsed.problem.size(), "a hello refusal is not printable text");
    return kPeerProtocolMax;
  }
  check(parsed.hello->cluster_fingerprint.size() <= kMaxFingerprintBytes,
        "an accepted hello carries an oversized fingerprint");
  const std::string frame = hello_frame(*parsed.hello);
  check(std::string_view(frame).substr(kFrameHeaderBytes) == body,
        "an accepted hello does not re-encode to its bytes");
  return negotiate(kProductProtocols, parsed.hello->protocols).value_or(kPeerProtocolMax);
}

void check_message(std::string_view body, std::uint8_t version) {
  const auto message = wire::decode(body, version);
  if (!message) return;
  check(wire::encode(*message, version) == body,
        "a decoded message does not re-encode to its bytes");
  const MessageFrame frame = message_frame(*message, version, kMaxFrameBodyBytes);
  check(frame.problem == MessageFrame::Problem::kNone &&
            std::string_view(frame.bytes).substr(kFrameHeaderBytes) == body,
        "a decoded message's frame does not carry its bytes");
}

}  // namespace
}  // namespace paxoskv::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paxoskv;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::optional<std::uint8_t> version;  // set by the hello
  while (rest.size() >= kFrameHeaderBytes) {
    FrameHeader header;
    for (std::size_t i = 0; i < kFrameHeaderBytes; ++i) {
      header[i] = static_cast<unsigned char>(rest[i]);
    }
    const std::uint32_t length = frame_body_length(header);
    rest.remove_prefix(kFrameHeaderBytes);
    if (length > fuzz::kMaxFrameBodyBytes || length > rest.size()) break;  // a partial frame
    const std::string_view body = rest.substr(0, length);
    rest.remove_prefix(length);
    if (version) {
      fuzz::check_message(body, *version);
    } else {
      // A refused hello closes the connection; carry on to reach more.
      version = fuzz::check_hello(body);
    }
  }
  return 0;
}

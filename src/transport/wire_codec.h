// The wire form of the messages replicas exchange: a compact binary encoding. Decoding never trusts
// its input: truncated, oversized or garbage bytes yield an error, never undefined behaviour.
//
// The encoding depends on the peer protocol version a connection speaks (see frame.h):
// from kMembershipProtocol on, the messages an acceptor answers carry the sender's
// configuration version, and the key list messages exist. A message that cannot be said
// in a connection's version (a configuration version other than 0, a key list message, on
// a connection of an earlier version) is not encoded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/messages.h"
#include "src/anti_entropy/sync_messages.h"
#include "src/membership/key_list_messages.h"
#include "src/transport/peer_message.h"

namespace paxoskv::wire {

// The first peer protocol version whose Prepare, Accept and ReadQuery carry `config`, and
// that has KeyListRequest and KeyListReply.
inline constexpr std::uint8_t kMembershipProtocol = 5;
// The first whose proposals and applied states carry a lease id, and that has KeepAlive
// and KeepAliveAck (see consensus/lease.h).
inline constexpr std::uint8_t kLeaseProtocol = 6;

// Appends the encoding of `message` in peer protocol `version` to `out` (no length prefix;
// framing is the transport's job). False, and `out` unchanged, if `version` cannot carry
// the message.
bool encode(const consensus::Message& message, std::uint8_t version, std::string& out);
bool encode(const anti_entropy::SyncRequest& message, std::uint8_t version, std::string& out);
bool encode(const anti_entropy::SyncReply& message, std::uint8_t version, std::string& out);
bool encode(const membership::KeyListRequest& message, std::uint8_t version, std::string& out);
bool encode(const membership::KeyListReply& message, std::uint8_t version, std::string& out);
bool encode(const PeerMessage& message, std::uint8_t version, std::string& out);
// The encoding alone; nullopt if `version` cannot carry the message.
std::optional<std::string> encode(const PeerMessage& message, std::uint8_t version);

// Decodes exactly one message of peer protocol `version` that fills all of `bytes`; nullopt
// if the bytes are not a valid message of that version.
std::optional<PeerMessage> decode(std::string_view bytes, std::uint8_t version);

}  // namespace paxoskv::wire

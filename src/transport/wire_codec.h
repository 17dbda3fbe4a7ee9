// The wire form of the messages replicas exchange: a compact binary encoding. Decoding never trusts
// its input: truncated, oversized or garbage bytes yield an error, never undefined behaviour.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "consensus/messages.h"
#include "src/anti_entropy/sync_messages.h"
#include "src/transport/peer_message.h"

namespace paxoskv::wire {

// Appends the encoding of `message` to `out` (no length prefix; framing is the
// transport's job).
void encode(const consensus::Message& message, std::string& out);
void encode(const anti_entropy::SyncRequest& message, std::string& out);
void encode(const anti_entropy::SyncReply& message, std::string& out);
void encode(const PeerMessage& message, std::string& out);
std::string encode(const PeerMessage& message);

// Decodes exactly one message that fills all of `bytes`; nullopt if the bytes are not a
// valid message.
std::optional<PeerMessage> decode(std::string_view bytes);

}  // namespace paxoskv::wire

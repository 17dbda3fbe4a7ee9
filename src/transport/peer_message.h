// What travels between replicas after the hello: a consensus message, or one of
// anti-entropy's two. Consensus messages are sent as they are (see PeerTransport::send),
// without being copied into a PeerMessage first.
#pragma once

#include <variant>

#include "consensus/messages.h"
#include "src/anti_entropy/sync_messages.h"

namespace paxoskv {

using PeerMessage =
    std::variant<consensus::Message, anti_entropy::SyncRequest, anti_entropy::SyncReply>;

}  // namespace paxoskv

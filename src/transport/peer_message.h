// What travels between replicas after the hello: a consensus message, one of
// anti-entropy's two, or one of the two a configuration change uses to list keys.
// Consensus messages are sent as they are (see PeerTransport::send), without being copied
// into a PeerMessage first.
#pragma once

#include <variant>

#include "consensus/messages.h"
#include "src/anti_entropy/sync_messages.h"
#include "src/membership/key_list_messages.h"

namespace paxoskv {

using PeerMessage =
    std::variant<consensus::Message, anti_entropy::SyncRequest, anti_entropy::SyncReply,
                 membership::KeyListRequest, membership::KeyListReply>;

}  // namespace paxoskv

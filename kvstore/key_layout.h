// The key space of a replica's LevelDB.
//
// Every LevelDB key starts with one byte naming the record kind:
//
//   "m"                    meta: format version and StoreIdentity (replica id, cluster
//                          fingerprint). Written once, when the store is created.
//   "i"                    the change index: how many applied changes the store has
//                          persisted. Read at open, so start-up never scans keys.
//   "n"                    the incarnation: how many times the store was opened.
//   "f"                    present while the store has not passed its founding check:
//                          written with "m" when the store is created, deleted once no
//                          reachable peer knew this replica id (see Store::founding_check_pending).
//                          Stores of earlier versions lack it: they served already.
//   'a' + key              the key's acceptor record (promise, accepted proposal), while
//                          it is newer than what 's' holds: written at a promise or
//                          acceptance, dropped when the key's applied state is written.
//   's' + key              the key's applied state (version, value or absent, writer
//                          marks), the change index of its latest change, and the
//                          acceptor's promise as of then. So a key keeps one record
//                          between writes, and an acceptance lives only until applied.
//   'c' + be64(index)      change log: index -> key. One entry per key, at the index of
//                          its latest change: a change deletes the key's previous entry,
//                          so the log is bounded by the number of keys. Big-endian so
//                          LevelDB's byte order is index order.
//   'p' + be32(peer)       anti-entropy cursor: how far this replica has pulled the peer's
//                          changes, in which epoch of the peer's change log (see
//                          SyncCursor), so a restart does not pull them again.
//   'k' + be32(peer)       a peer this replica received protocol messages from: it has
//                          served, so a replica under its id on an empty data dir is refused.
//
// User keys are arbitrary bytes; prefixing keeps each kind in its own contiguous range.
// Values are encoded by record_codec.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/types.h"

namespace paxoskv::kvstore::layout {

inline constexpr std::string_view kMetaKey = "m";
inline constexpr std::string_view kChangeIndexKey = "i";
inline constexpr std::string_view kIncarnationKey = "n";
inline constexpr std::string_view kFoundingCheckKey = "f";
inline constexpr char kAcceptorPrefix = 'a';
inline constexpr char kAppliedPrefix = 's';
inline constexpr char kChangeLogPrefix = 'c';
inline constexpr char kSyncCursorPrefix = 'p';
inline constexpr char kKnownPeerPrefix = 'k';

std::string acceptor_key(std::string_view key);
std::string applied_key(std::string_view key);
std::string change_log_key(std::uint64_t index);
std::string sync_cursor_key(consensus::NodeId peer);
std::string known_peer_key(consensus::NodeId peer);

// The user key of an applied-state key, or nullopt if `db_key` is not one.
std::optional<std::string_view> user_key_of_applied(std::string_view db_key);
// The user key of an acceptor-record key, or nullopt if `db_key` is not one.
std::optional<std::string_view> user_key_of_acceptor(std::string_view db_key);
// The index of a change-log key, or nullopt if `db_key` is not a well-formed one.
std::optional<std::uint64_t> index_of_change_log_key(std::string_view db_key);
// The peer of a sync-cursor key, or nullopt if `db_key` is not a well-formed one.
std::optional<consensus::NodeId> peer_of_sync_cursor_key(std::string_view db_key);
// The peer of a known-peer key, or nullopt if `db_key` is not a well-formed one.
std::optional<consensus::NodeId> peer_of_known_peer_key(std::string_view db_key);

// Keys and values may be binary: a bounded, printable form for messages and logs.
std::string printable(std::string_view bytes);

}  // namespace paxoskv::kvstore::layout

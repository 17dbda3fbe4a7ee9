// Encodings of the values stored under each key kind (see key_layout.h).
//
// Every value starts with a format byte, so a later format can be told apart from a
// corrupt record: kFormatV3 for acceptor and applied-state records (since the promise is
// kept with the applied state) and for sync cursors (since they name their epoch),
// kFormatV2 for the others. Records of format 2 are still
// read: a store written by an earlier version opens, and is rewritten as keys change. Integers are
// fixed-width big-endian, byte strings are length-prefixed (u32), optional values carry a 0/1
// presence byte. Decoding checks every length and rejects unknown format bytes, bad flags and
// trailing bytes by throwing RecordFormatError: a stored record that does not decode is corruption,
// never UB.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/records.h"
#include "kvstore/types.h"

namespace paxoskv::kvstore::codec {

inline constexpr std::uint8_t kFormatV2 = 2;
inline constexpr std::uint8_t kFormatV3 = 3;
// Format 3 with a lease id closing the record: an acceptor record whose accepted proposal,
// or an applied state which, attaches the key to a lease (written only then).
inline constexpr std::uint8_t kFormatV4 = 4;

std::string encode_identity(const StoreIdentity& identity);
StoreIdentity decode_identity(std::string_view encoded);

// A plain counter: the change index, the incarnation.
std::string encode_counter(std::uint64_t value);
std::uint64_t decode_counter(std::string_view encoded);

std::string encode_acceptor(const consensus::AcceptorRecord& record);
consensus::AcceptorRecord decode_acceptor(std::string_view encoded);

// An applied-state record: the applied state and the acceptor's promise and leadership
// (`acceptor` without an accepted proposal, which is never kept there).
std::string encode_state(const AppliedState& state, const consensus::AcceptorRecord& acceptor);
StoredState decode_state(std::string_view encoded);
// The applied state alone.
AppliedState decode_applied(std::string_view encoded);

// An anti-entropy cursor's value: the index and its epoch (format 3); a format 2 record,
// the index alone, reads with epoch 0. `cursor.peer` is in the key, not the value.
std::string encode_sync_cursor(const SyncCursor& cursor);
SyncCursor decode_sync_cursor(std::string_view encoded);

// A change-log entry's value: the user key.
std::string encode_change_log_entry(std::string_view key);
std::string decode_change_log_entry(std::string_view encoded);

}  // namespace paxoskv::kvstore::codec

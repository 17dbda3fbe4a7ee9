// Encodings of the values stored under each key kind (see key_layout.h).
//
// Every value starts with a format byte (kFormatV2), so a later format can be told apart
// from a corrupt record. Integers are fixed-width big-endian, byte strings are
// length-prefixed (u32), optional values carry a 0/1 presence byte. Decoding checks every
// length and rejects unknown format bytes, bad flags and trailing bytes by throwing
// RecordFormatError: a stored record that does not decode is corruption, never UB.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/records.h"
#include "kvstore/types.h"

namespace paxoskv::kvstore::codec {

inline constexpr std::uint8_t kFormatV2 = 2;

std::string encode_identity(const StoreIdentity& identity);
StoreIdentity decode_identity(std::string_view encoded);

// A plain counter: the change index, the incarnation.
std::string encode_counter(std::uint64_t value);
std::uint64_t decode_counter(std::string_view encoded);

std::string encode_acceptor(const consensus::AcceptorRecord& record);
consensus::AcceptorRecord decode_acceptor(std::string_view encoded);

std::string encode_applied(const AppliedState& state);
AppliedState decode_applied(std::string_view encoded);

// A change-log entry's value: the user key.
std::string encode_change_log_entry(std::string_view key);
std::string decode_change_log_entry(std::string_view encoded);

}  // namespace paxoskv::kvstore::codec

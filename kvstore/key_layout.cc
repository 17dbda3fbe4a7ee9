#include "kvstore/key_layout.h"

#include "kvstore/byte_io.h"

namespace paxoskv::kvstore::layout {

namespace {

std::string prefixed(char prefix, std::string_view key) {
  std::string db_key;
  db_key.reserve(1 + key.size());
  db_key.push_back(prefix);
  db_key.append(key);
  return db_key;
}

std::string peer_key(char prefix, consensus::NodeId peer) {
  ByteWriter writer;
  writer.u8(static_cast<std::uint8_t>(prefix));
  writer.u32(peer);
  return std::move(writer).take();
}

std::optional<consensus::NodeId> peer_of(char prefix, std::string_view db_key) {
  if (db_key.size() != 5 || db_key.front() != prefix) return std::nullopt;
  ByteReader reader(db_key.substr(1));
  return reader.u32();
}

}  // namespace

std::string acceptor_key(std::string_view key) {
  return prefixed(kAcceptorPrefix, key);
}

std::string applied_key(std::string_view key) {
  return prefixed(kAppliedPrefix, key);
}

std::string change_log_key(std::uint64_t index) {
  ByteWriter writer;
  writer.u8(static_cast<std::uint8_t>(kChangeLogPrefix));
  writer.u64(index);
  return std::move(writer).take();
}

std::string sync_cursor_key(consensus::NodeId peer) {
  return peer_key(kSyncCursorPrefix, peer);
}

std::string known_peer_key(consensus::NodeId peer) {
  return peer_key(kKnownPeerPrefix, peer);
}

std::optional<std::string_view> user_key_of_applied(std::string_view db_key) {
  if (db_key.empty() || db_key.front() != kAppliedPrefix) return std::nullopt;
  return db_key.substr(1);
}

std::optional<std::string_view> user_key_of_acceptor(std::string_view db_key) {
  if (db_key.empty() || db_key.front() != kAcceptorPrefix) return std::nullopt;
  return db_key.substr(1);
}

std::optional<std::uint64_t> index_of_change_log_key(std::string_view db_key) {
  if (db_key.size() != 9 || db_key.front() != kChangeLogPrefix) return std::nullopt;
  ByteReader reader(db_key.substr(1));
  return reader.u64();
}

std::optional<consensus::NodeId> peer_of_sync_cursor_key(std::string_view db_key) {
  return peer_of(kSyncCursorPrefix, db_key);
}

std::optional<consensus::NodeId> peer_of_known_peer_key(std::string_view db_key) {
  return peer_of(kKnownPeerPrefix, db_key);
}

std::string printable(std::string_view bytes) {
  constexpr std::size_t kMaxShown = 80;
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < kMaxShown; ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      out.push_back(static_cast<char>(byte));
    } else {
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
  if (bytes.size() > kMaxShown) out += "...";
  return out;
}

}  // namespace paxoskv::kvstore::layout

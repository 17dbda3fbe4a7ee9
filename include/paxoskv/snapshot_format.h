// The snapshot file: a replica's applied state, as GET /v1/snapshot streams it,
// `paxoskvctl snapshot save` verifies it and `paxoskv restore` reads it (see README,
// "Snapshot format"). Public, so that a program can check a backup on its own.
//
//   header   magic "PXKVSNAP", u32 format version (kSnapshotFormatVersion)
//   record*  u8 kind (1: present, 2: deleted), u32 key length, key, u64 version,
//            u64 lease (0: none), and for a present key u32 value length, value
//   trailer  u8 kEndMarker, u64 record count, 32 bytes SHA-256 of every byte before it
//
// Integers are big-endian. The writer and the parser work on pieces, so neither a
// snapshot nor a file is ever held whole in memory. Only the trailer's checksum proves a
// stream intact: a parser's caller must not act on the records before finish() passed
// (restore verifies the whole file first, then reads it again to write the store).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace paxoskv::snapshot {

inline constexpr std::string_view kMagic = "PXKVSNAP";
inline constexpr std::uint32_t kSnapshotFormatVersion = 1;
inline constexpr std::uint8_t kPresent = 1;
inline constexpr std::uint8_t kDeleted = 2;
inline constexpr std::uint8_t kEndMarker = 0xFF;
inline constexpr std::size_t kChecksumBytes = 32;
// Sanity bounds: a length beyond them is corruption, not a reason to buffer gigabytes.
inline constexpr std::uint32_t kMaxKeyBytes = 1 << 20;
inline constexpr std::uint32_t kMaxValueBytes = 1U << 30;

struct Record {
  std::string key;
  std::uint64_t version = 0;
  std::uint64_t lease = 0;
  std::optional<std::string> value;  // nullopt: deleted (keeps its version)

  friend bool operator==(const Record&, const Record&) = default;
};

// A damaged, truncated or foreign snapshot.
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  std::string finish();  // the 32-byte digest

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Produces the bytes of a snapshot piece by piece: header(), record() for each, trailer().
class Writer {
 public:
  std::string header();
  std::string record(const Record& record);
  std::string trailer();
  std::uint64_t count() const { return count_; }

 private:
  std::string hashed(std::string bytes);

  Sha256 hash_;
  std::uint64_t count_ = 0;
};

// Parses a snapshot fed in pieces of any size, calling `on_record` for each record as it
// completes. Throws FormatError at the first sign of damage: a wrong magic or version, a
// bad kind or length, bytes after the trailer; finish() throws if the trailer is missing
// (truncated) or the checksum or count does not match.
class Parser {
 public:
  using OnRecord = std::function<void(Record)>;
  explicit Parser(OnRecord on_record);

  void feed(std::string_view bytes);
  // Returns the record count once the whole snapshot was fed and verified.
  std::uint64_t finish() const;

 private:
  // Consumes one item (header, record or trailer) from pending_ if it is all there.
  bool parse_one();

  OnRecord on_record_;
  std::string pending_;
  std::size_t offset_ = 0;  // into pending_: bytes before it are consumed
  Sha256 hash_;
  bool header_done_ = false;
  bool done_ = false;
  std::uint64_t count_ = 0;
};

}  // namespace paxoskv::snapshot

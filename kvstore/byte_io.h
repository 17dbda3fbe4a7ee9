// Fixed-width big-endian primitives the kvstore's on-disk encodings are built from.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace paxoskv::kvstore {

// A stored byte string that does not decode: the record is corrupt (or written by an
// incompatible format). Callers add which record it was.
class RecordFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ByteWriter {
 public:
  void u8(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void u32(std::uint32_t value) { put_big_endian(value, 4); }
  void u64(std::uint64_t value) { put_big_endian(value, 8); }
  // Length-prefixed (u32) bytes.
  void bytes(std::string_view value);
  // Bytes without a length: only as the last field, or where the length is implied.
  void raw(std::string_view value) { out_.append(value); }

  std::string take() && { return std::move(out_); }

 private:
  void put_big_endian(std::uint64_t value, int width);

  std::string out_;
};

// Reads what ByteWriter wrote. Every read checks the remaining length and throws
// RecordFormatError instead of reading past the end.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}

  std::uint8_t u8() { return static_cast<std::uint8_t>(get_big_endian(1)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(get_big_endian(4)); }
  std::uint64_t u64() { return get_big_endian(8); }
  std::string bytes();
  bool boolean();
  std::string_view rest();

  // Trailing bytes are as suspicious as missing ones.
  void expect_end() const;

 private:
  std::uint64_t get_big_endian(std::size_t width);
  void require(std::size_t count) const;

  std::string_view data_;
};

}  // namespace paxoskv::kvstore

#include "kvstore/byte_io.h"

#include <limits>

namespace paxoskv::kvstore {

void ByteWriter::bytes(std::string_view value) {
  if (value.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("paxoskv store: field of " + std::to_string(value.size()) +
                            " bytes is too large to encode");
  }
  u32(static_cast<std::uint32_t>(value.size()));
  raw(value);
}

void ByteWriter::put_big_endian(std::uint64_t value, int width) {
  for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) {
    out_.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

std::string ByteReader::bytes() {
  const std::uint32_t length = u32();
  require(length);
  std::string value(data_.substr(0, length));
  data_.remove_prefix(length);
  return value;
}

bool ByteReader::boolean() {
  const std::uint8_t value = u8();
  if (value > 1) {
    throw RecordFormatError("flag byte is " + std::to_string(value) + ", expected 0 or 1");
  }
  return value == 1;
}

std::string_view ByteReader::rest() {
  const std::string_view remaining = data_;
  data_ = {};
  return remaining;
}

void ByteReader::expect_end() const {
  if (!data_.empty()) {
    throw RecordFormatError(std::to_string(data_.size()) + " unexpected trailing bytes");
  }
}

std::uint64_t ByteReader::get_big_endian(std::size_t width) {
  require(width);
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value = (value << 8) | static_cast<std::uint8_t>(data_[i]);
  }
  data_.remove_prefix(width);
  return value;
}

void ByteReader::require(std::size_t count) const {
  if (data_.size() < count) {
    throw RecordFormatError("truncated: needs " + std::to_string(count) + " more bytes, has " +
                            std::to_string(data_.size()));
  }
}

}  // namespace paxoskv::kvstore

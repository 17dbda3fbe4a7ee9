#include "paxoskv/snapshot_format.h"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace paxoskv::snapshot {
namespace {

std::vector<Record> sample_records() {
  return {
      Record{"alpha", 3, 0, std::string("one")},
      Record{std::string("\0lease/00000000000000ab", 23), 1, 0, std::string("ttl")},
      Record{"bound", 7, 0xab, std::string("")},
      Record{"gone", 12, 0, std::nullopt},
      Record{std::string("bin\xff\x00key", 8), 2, 0, std::string("v\0al", 4)},
  };
}

std::string encode(const std::vector<Record>& records) {
  Writer writer;
  std::string out = writer.header();
  for (const Record& record : records) out += writer.record(record);
  out += writer.trailer();
  return out;
}

// Feeds `bytes` in pieces of `piece` bytes; returns the records once verified.
std::vector<Record> decode(const std::string& bytes, std::size_t piece = 7) {
  std::vector<Record> records;
  Parser parser([&](Record record) { records.push_back(std::move(record)); });
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    parser.feed(std::string_view(bytes).substr(at, piece));
  }
  // Throws FormatError for a damaged or truncated snapshot (not a test failure here).
  if (parser.finish() != records.size()) throw std::logic_error("record count mismatch");
  return records;
}

TEST_CASE("a snapshot round-trips, fed in pieces of any size", "[snapshot]") {
  const std::string bytes = encode(sample_records());
  for (std::size_t piece : {1, 3, 64, 100000}) {
    CHECK(decode(bytes, piece) == sample_records());
  }
  CHECK(decode(encode({})).empty());
}

TEST_CASE("a snapshot with any byte flipped is refused", "[snapshot]") {
  const std::string bytes = encode(sample_records());
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    CHECK_THROWS_AS(decode(damaged), FormatError);
  }
}

TEST_CASE("a truncated snapshot is refused", "[snapshot]") {
  const std::string bytes = encode(sample_records());
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    CHECK_THROWS_AS(decode(bytes.substr(0, length)), FormatError);
  }
}

TEST_CASE("bytes after the trailer are refused", "[snapshot]") {
  CHECK_THROWS_AS(decode(encode(sample_records()) + "x"), FormatError);
}

TEST_CASE("a wrong magic or format version is refused with a clear message", "[snapshot]") {
  std::string bytes = encode(sample_records());
  std::string foreign = bytes;
  foreign.replace(0, 8, "NOTASNAP");
  CHECK_THROWS_WITH(decode(foreign), Catch::Contains("wrong magic"));
  std::string newer = bytes;
  newer[11] = 2;  // the format version's last byte
  CHECK_THROWS_WITH(decode(newer), Catch::Contains("format version 2"));
}

TEST_CASE("a snapshot missing a record in the middle is refused", "[snapshot]") {
  std::vector<Record> records = sample_records();
  Writer writer;
  std::string bytes = writer.header();
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::string encoded = writer.record(records[i]);
    if (i != 2) bytes += encoded;
  }
  bytes += writer.trailer();
  CHECK_THROWS_AS(decode(bytes), FormatError);
}

}  // namespace
}  // namespace paxoskv::snapshot

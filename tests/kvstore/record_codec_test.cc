#include "kvstore/record_codec.h"

#include <catch2/catch.hpp>
#include <string>

#include "kvstore/byte_io.h"
#include "kvstore/key_layout.h"

namespace paxoskv::kvstore {
namespace {

using consensus::AcceptedProposal;
using consensus::AcceptorRecord;
using consensus::Ballot;
using consensus::OpId;
using consensus::WriterMarks;

AcceptorRecord full_acceptor() {
  return AcceptorRecord{Ballot{7, 2},
                        AcceptedProposal{5, Ballot{7, 2}, std::string("v\0al", 4), OpId{1, 6}},
                        Ballot{7, 2}, 3, 11};
}

// What an applied-state record keeps of the acceptor: no accepted proposal.
AcceptorRecord promise_and_leadership() {
  return AcceptorRecord{Ballot{8, 1}, std::nullopt, Ballot{6, 2}, 4, 9};
}

AppliedState full_applied() {
  return AppliedState{4, std::string("hello\0world", 11), WriterMarks{{1, 9, 2}, {3, 5, 4}}, 99};
}

// Every strict prefix of a valid encoding, and the encoding with a byte appended, must be
// rejected.
template <typename Decode>
void require_truncations_and_extensions_rejected(const std::string& encoded, Decode decode) {
  for (std::size_t length = 0; length < encoded.size(); ++length) {
    INFO("prefix length " << length);
    REQUIRE_THROWS_AS(decode(encoded.substr(0, length)), RecordFormatError);
  }
  REQUIRE_THROWS_AS(decode(encoded + '\0'), RecordFormatError);
}

TEST_CASE("acceptor records round-trip", "[kvstore][codec]") {
  for (const AcceptorRecord& record :
       {AcceptorRecord{}, AcceptorRecord{Ballot{1, 1}, std::nullopt, {}, 0}, full_acceptor(),
        AcceptorRecord{Ballot{9, 3}, AcceptedProposal{1, Ballot{9, 3}, std::nullopt, {}}, {}, 0}}) {
    REQUIRE(codec::decode_acceptor(codec::encode_acceptor(record)) == record);
  }
}

TEST_CASE("applied-state records round-trip", "[kvstore][codec]") {
  for (const AppliedState& state :
       {AppliedState{}, full_applied(), AppliedState{3, std::nullopt, WriterMarks{{2, 1, 3}}, 8},
        AppliedState{1, std::string(), {}, 1}}) {
    for (const AcceptorRecord& acceptor : {AcceptorRecord{}, promise_and_leadership()}) {
      const std::string encoded = codec::encode_state(state, acceptor);
      REQUIRE(codec::decode_state(encoded) == StoredState{state, acceptor});
      REQUIRE(codec::decode_applied(encoded) == state);
    }
  }
}

TEST_CASE("a key attached to a lease is kept in format 4, any other in format 3",
          "[kvstore][codec]") {
  AppliedState leased = full_applied();
  leased.lease = 0xfedcba9876543210;
  const std::string state = codec::encode_state(leased, promise_and_leadership());
  CHECK(state[0] == codec::kFormatV4);
  CHECK(codec::decode_state(state) == StoredState{leased, promise_and_leadership()});
  CHECK(codec::encode_state(full_applied(), promise_and_leadership())[0] == codec::kFormatV3);
  require_truncations_and_extensions_rejected(state, codec::decode_state);

  AcceptorRecord acceptor = promise_and_leadership();
  acceptor.accepted = AcceptedProposal{5, {6, 7}, std::string("v"), {1, 2}, 42};
  const std::string encoded = codec::encode_acceptor(acceptor);
  CHECK(encoded[0] == codec::kFormatV4);
  CHECK(codec::decode_acceptor(encoded) == acceptor);
  require_truncations_and_extensions_rejected(encoded, codec::decode_acceptor);
  acceptor.accepted->lease = 0;
  CHECK(codec::encode_acceptor(acceptor)[0] == codec::kFormatV3);
}

TEST_CASE("records of format 2 are still read", "[kvstore][codec]") {
  // Acceptor: format, promise (round, node), has-accepted, led, led incarnation.
  ByteWriter acceptor;
  acceptor.u8(codec::kFormatV2);
  acceptor.u64(7);
  acceptor.u32(2);
  acceptor.u8(0);
  acceptor.u64(6);
  acceptor.u32(2);
  acceptor.u64(3);
  REQUIRE(codec::decode_acceptor(std::move(acceptor).take()) ==
          AcceptorRecord{Ballot{7, 2}, std::nullopt, Ballot{6, 2}, 3, 0});
  // Applied state: format, version, change index, writer marks, value; no promise.
  ByteWriter state;
  state.u8(codec::kFormatV2);
  state.u64(4);
  state.u64(99);
  state.u32(0);
  state.u8(1);
  state.bytes("v");
  REQUIRE(codec::decode_state(std::move(state).take()) ==
          StoredState{AppliedState{4, "v", {}, 99}, AcceptorRecord{}});
}

TEST_CASE("identity, change index and change log entries round-trip", "[kvstore][codec]") {
  const StoreIdentity identity{3, "fingerprint\0x"};
  REQUIRE(codec::decode_identity(codec::encode_identity(identity)) == identity);
  REQUIRE(codec::decode_counter(codec::encode_counter(0xfedcba9876543210)) == 0xfedcba9876543210);
  const std::string key("a/\0b", 4);
  REQUIRE(codec::decode_change_log_entry(codec::encode_change_log_entry(key)) == key);
}

TEST_CASE("truncated or extended records are rejected", "[kvstore][codec]") {
  require_truncations_and_extensions_rejected(codec::encode_acceptor(full_acceptor()),
                                              codec::decode_acceptor);
  require_truncations_and_extensions_rejected(
      codec::encode_state(full_applied(), promise_and_leadership()), codec::decode_state);
  require_truncations_and_extensions_rejected(codec::encode_identity({1, "c"}),
                                              codec::decode_identity);
  require_truncations_and_extensions_rejected(codec::encode_counter(5), codec::decode_counter);
  REQUIRE_THROWS_AS(codec::decode_change_log_entry(""), RecordFormatError);
}

TEST_CASE("unknown formats and bad flags are rejected", "[kvstore][codec]") {
  std::string applied = codec::encode_state(full_applied(), AcceptorRecord{});
  applied[0] = 1;  // the format before writer marks
  REQUIRE_THROWS_WITH(codec::decode_applied(applied), Catch::Contains("format 1"));
  applied[0] = 5;
  REQUIRE_THROWS_WITH(codec::decode_applied(applied), Catch::Contains("format 5"));
  // Format 4 closes with the lease: without it the record is short.
  applied[0] = 4;
  REQUIRE_THROWS_AS(codec::decode_applied(applied), RecordFormatError);

  std::string acceptor = codec::encode_acceptor(AcceptorRecord{});
  acceptor[1 + 8 + 4 + 8] = 7;  // the has-accepted flag, after format, promise and its life
  REQUIRE_THROWS_WITH(codec::decode_acceptor(acceptor), Catch::Contains("flag"));
}

TEST_CASE("a huge length prefix is rejected without allocating it", "[kvstore][codec]") {
  ByteWriter writer;
  writer.u8(codec::kFormatV2);
  writer.u32(1);
  writer.u32(0xffffffff);  // fingerprint length
  writer.raw("short");
  REQUIRE_THROWS_AS(codec::decode_identity(std::move(writer).take()), RecordFormatError);
}

TEST_CASE("change log keys sort in index order", "[kvstore][codec]") {
  REQUIRE(layout::change_log_key(255) < layout::change_log_key(256));
  REQUIRE(layout::change_log_key(1) < layout::change_log_key(0x0100000000000000));
  REQUIRE(layout::index_of_change_log_key(layout::change_log_key(1234)) == 1234u);
  REQUIRE_FALSE(layout::index_of_change_log_key("c123").has_value());
  REQUIRE_FALSE(layout::index_of_change_log_key(layout::applied_key("12345678")).has_value());
}

TEST_CASE("printable escapes binary bytes", "[kvstore][codec]") {
  REQUIRE(layout::printable(std::string("a\0\xff\\", 4)) == "a\\x00\\xff\\x5c");
  REQUIRE(layout::printable(std::string(200, 'k')).size() == 83);
}

}  // namespace
}  // namespace paxoskv::kvstore

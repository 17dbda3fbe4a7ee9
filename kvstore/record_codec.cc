#include "kvstore/record_codec.h"

#include "kvstore/byte_io.h"

namespace paxoskv::kvstore::codec {

namespace {

ByteWriter start_record() {
  ByteWriter writer;
  writer.u8(kFormatV1);
  return writer;
}

void expect_format(ByteReader& reader) {
  const std::uint8_t format = reader.u8();
  if (format != kFormatV1) {
    throw RecordFormatError("unsupported record format " + std::to_string(format));
  }
}

void put_ballot(ByteWriter& writer, const consensus::Ballot& ballot) {
  writer.u64(ballot.round);
  writer.u32(ballot.node);
}

consensus::Ballot get_ballot(ByteReader& reader) {
  consensus::Ballot ballot;
  ballot.round = reader.u64();
  ballot.node = reader.u32();
  return ballot;
}

void put_value(ByteWriter& writer, const consensus::KeyValue& value) {
  writer.u8(value ? 1 : 0);
  if (value) writer.bytes(*value);
}

consensus::KeyValue get_value(ByteReader& reader) {
  if (!reader.boolean()) return std::nullopt;
  return reader.bytes();
}

}  // namespace

std::string encode_identity(const StoreIdentity& identity) {
  ByteWriter writer = start_record();
  writer.u32(identity.replica_id);
  writer.bytes(identity.cluster_fingerprint);
  return std::move(writer).take();
}

StoreIdentity decode_identity(std::string_view encoded) {
  ByteReader reader(encoded);
  expect_format(reader);
  StoreIdentity identity;
  identity.replica_id = reader.u32();
  identity.cluster_fingerprint = reader.bytes();
  reader.expect_end();
  return identity;
}

std::string encode_change_index(std::uint64_t index) {
  ByteWriter writer = start_record();
  writer.u64(index);
  return std::move(writer).take();
}

std::uint64_t decode_change_index(std::string_view encoded) {
  ByteReader reader(encoded);
  expect_format(reader);
  const std::uint64_t index = reader.u64();
  reader.expect_end();
  return index;
}

std::string encode_acceptor(const consensus::AcceptorRecord& record) {
  ByteWriter writer = start_record();
  put_ballot(writer, record.promised);
  writer.u8(record.accepted ? 1 : 0);
  if (record.accepted) {
    writer.u64(record.accepted->slot);
    put_ballot(writer, record.accepted->ballot);
    put_ballot(writer, record.accepted->origin);
    put_value(writer, record.accepted->value);
  }
  return std::move(writer).take();
}

consensus::AcceptorRecord decode_acceptor(std::string_view encoded) {
  ByteReader reader(encoded);
  expect_format(reader);
  consensus::AcceptorRecord record;
  record.promised = get_ballot(reader);
  if (reader.boolean()) {
    consensus::AcceptedProposal accepted;
    accepted.slot = reader.u64();
    accepted.ballot = get_ballot(reader);
    accepted.origin = get_ballot(reader);
    accepted.value = get_value(reader);
    record.accepted = std::move(accepted);
  }
  reader.expect_end();
  return record;
}

std::string encode_applied(const AppliedState& state) {
  ByteWriter writer = start_record();
  writer.u64(state.version);
  put_ballot(writer, state.origin);
  writer.u64(state.change_index);
  put_value(writer, state.value);
  return std::move(writer).take();
}

AppliedState decode_applied(std::string_view encoded) {
  ByteReader reader(encoded);
  expect_format(reader);
  AppliedState state;
  state.version = reader.u64();
  state.origin = get_ballot(reader);
  state.change_index = reader.u64();
  state.value = get_value(reader);
  reader.expect_end();
  return state;
}

std::string encode_change_log_entry(std::string_view key) {
  ByteWriter writer = start_record();
  writer.raw(key);
  return std::move(writer).take();
}

std::string decode_change_log_entry(std::string_view encoded) {
  ByteReader reader(encoded);
  expect_format(reader);
  return std::string(reader.rest());
}

}  // namespace paxoskv::kvstore::codec

#include "kvstore/record_codec.h"

#include "kvstore/byte_io.h"

namespace paxoskv::kvstore::codec {

namespace {

ByteWriter start_record(std::uint8_t format = kFormatV2) {
  ByteWriter writer;
  writer.u8(format);
  return writer;
}

void expect_format(ByteReader& reader) {
  const std::uint8_t format = reader.u8();
  if (format != kFormatV2) {
    throw RecordFormatError("unsupported record format " + std::to_string(format));
  }
}

// Format 2, 3 or 4, which one.
std::uint8_t read_format_2_to_4(ByteReader& reader) {
  const std::uint8_t format = reader.u8();
  if (format != kFormatV2 && format != kFormatV3 && format != kFormatV4) {
    throw RecordFormatError("unsupported record format " + std::to_string(format));
  }
  return format;
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

void put_op(ByteWriter& writer, const consensus::OpId& op) {
  writer.u32(op.node);
  writer.u64(op.seq);
}

consensus::OpId get_op(ByteReader& reader) {
  consensus::OpId op;
  op.node = reader.u32();
  op.seq = reader.u64();
  return op;
}

void put_writers(ByteWriter& writer, const consensus::WriterMarks& marks) {
  writer.u32(static_cast<std::uint32_t>(marks.size()));
  for (const consensus::WriterMark& mark : marks) {
    writer.u32(mark.node);
    writer.u64(mark.seq);
    writer.u64(mark.version);
  }
}

consensus::WriterMarks get_writers(ByteReader& reader) {
  const std::uint32_t count = reader.u32();
  consensus::WriterMarks marks;
  for (std::uint32_t i = 0; i < count; ++i) {
    consensus::WriterMark mark;
    mark.node = reader.u32();
    mark.seq = reader.u64();
    mark.version = reader.u64();
    marks.push_back(mark);
  }
  return marks;
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

std::string encode_counter(std::uint64_t value) {
  ByteWriter writer = start_record();
  writer.u64(value);
  return std::move(writer).take();
}

std::uint64_t decode_counter(std::string_view encoded) {
  ByteReader reader(encoded);
  expect_format(reader);
  const std::uint64_t value = reader.u64();
  reader.expect_end();
  return value;
}

std::string encode_acceptor(const consensus::AcceptorRecord& record) {
  const std::uint64_t lease = record.accepted ? record.accepted->lease : 0;
  ByteWriter writer = start_record(lease != 0 ? kFormatV4 : kFormatV3);
  put_ballot(writer, record.promised);
  writer.u64(record.promised_incarnation);
  writer.u8(record.accepted ? 1 : 0);
  if (record.accepted) {
    writer.u64(record.accepted->slot);
    put_ballot(writer, record.accepted->ballot);
    put_op(writer, record.accepted->op);
    put_value(writer, record.accepted->value);
  }
  put_ballot(writer, record.led);
  writer.u64(record.led_incarnation);
  if (lease != 0) writer.u64(lease);
  return std::move(writer).take();
}

consensus::AcceptorRecord decode_acceptor(std::string_view encoded) {
  ByteReader reader(encoded);
  const std::uint8_t format = read_format_2_to_4(reader);
  consensus::AcceptorRecord record;
  record.promised = get_ballot(reader);
  if (format != kFormatV2) record.promised_incarnation = reader.u64();
  if (reader.boolean()) {
    consensus::AcceptedProposal accepted;
    accepted.slot = reader.u64();
    accepted.ballot = get_ballot(reader);
    accepted.op = get_op(reader);
    accepted.value = get_value(reader);
    record.accepted = std::move(accepted);
  }
  record.led = get_ballot(reader);
  record.led_incarnation = reader.u64();
  if (format == kFormatV4) {
    const std::uint64_t lease = reader.u64();
    if (!record.accepted || lease == 0) throw RecordFormatError("a lease without a proposal");
    record.accepted->lease = lease;
  }
  reader.expect_end();
  return record;
}

std::string encode_state(const AppliedState& state, const consensus::AcceptorRecord& acceptor) {
  ByteWriter writer = start_record(state.lease != 0 ? kFormatV4 : kFormatV3);
  writer.u64(state.version);
  writer.u64(state.change_index);
  put_writers(writer, state.writers);
  put_value(writer, state.value);
  put_ballot(writer, acceptor.promised);
  writer.u64(acceptor.promised_incarnation);
  put_ballot(writer, acceptor.led);
  writer.u64(acceptor.led_incarnation);
  if (state.lease != 0) writer.u64(state.lease);
  return std::move(writer).take();
}

StoredState decode_state(std::string_view encoded) {
  ByteReader reader(encoded);
  const std::uint8_t format = read_format_2_to_4(reader);
  StoredState stored;
  AppliedState& state = stored.applied;
  state.version = reader.u64();
  state.change_index = reader.u64();
  state.writers = get_writers(reader);
  state.value = get_value(reader);
  if (format != kFormatV2) {
    stored.acceptor.promised = get_ballot(reader);
    stored.acceptor.promised_incarnation = reader.u64();
    stored.acceptor.led = get_ballot(reader);
    stored.acceptor.led_incarnation = reader.u64();
  }
  if (format == kFormatV4) {
    state.lease = reader.u64();
    if (state.lease == 0) throw RecordFormatError("lease 0 in a format 4 record");
  }
  reader.expect_end();
  return stored;
}

AppliedState decode_applied(std::string_view encoded) {
  return decode_state(encoded).applied;
}

std::string encode_sync_cursor(const SyncCursor& cursor) {
  ByteWriter writer = start_record(kFormatV3);
  writer.u64(cursor.index);
  writer.u64(cursor.epoch);
  return std::move(writer).take();
}

SyncCursor decode_sync_cursor(std::string_view encoded) {
  ByteReader reader(encoded);
  const std::uint8_t format = read_format_2_to_4(reader);
  SyncCursor cursor;
  cursor.index = reader.u64();
  if (format == kFormatV4) throw RecordFormatError("unsupported record format 4");
  if (format == kFormatV3) cursor.epoch = reader.u64();
  reader.expect_end();
  return cursor;
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

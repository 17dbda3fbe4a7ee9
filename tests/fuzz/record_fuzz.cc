// Fuzz target: a value read back from the store. The first byte picks which record kind
// the rest is decoded as (as the key it is stored under would). A record either decodes
// or is refused with RecordFormatError, and what decodes survives a re-encoding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "kvstore/byte_io.h"
#include "kvstore/record_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace paxoskv::fuzz {
namespace {

namespace codec = kvstore::codec;

void check_identity(std::string_view record) {
  const kvstore::StoreIdentity identity = codec::decode_identity(record);
  check(codec::encode_identity(identity) == record, "an identity does not re-encode to its bytes");
}

void check_counter(std::string_view record) {
  const std::uint64_t value = codec::decode_counter(record);
  check(codec::encode_counter(value) == record, "a counter does not re-encode to its bytes");
}

void check_acceptor(std::string_view record) {
  const consensus::AcceptorRecord acceptor = codec::decode_acceptor(record);
  // Format 2 records are rewritten as format 3: compare what they mean, not their bytes.
  const std::string encoded = codec::encode_acceptor(acceptor);
  check(codec::decode_acceptor(encoded) == acceptor, "an acceptor record does not round-trip");
  if (record.front() == codec::kFormatV3) {
    check(encoded == record, "an acceptor record does not re-encode to its bytes");
  }
}

void check_state(std::string_view record) {
  const kvstore::StoredState stored = codec::decode_state(record);
  check(codec::decode_applied(record) == stored.applied,
        "the applied state read alone differs from the state record's");
  const std::string encoded = codec::encode_state(stored.applied, stored.acceptor);
  check(codec::decode_state(encoded) == stored, "a state record does not round-trip");
  if (record.front() == codec::kFormatV3) {
    check(encoded == record, "a state record does not re-encode to its bytes");
  }
}

void check_change_log_entry(std::string_view record) {
  const std::string key = codec::decode_change_log_entry(record);
  check(codec::encode_change_log_entry(key) == record,
        "a change log entry does not re-encode to its bytes");
}

}  // namespace
}  // namespace paxoskv::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paxoskv::fuzz;
  if (size == 0) return 0;
  const std::string_view record(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (data[0] % 5) {
      case 0:
        check_identity(record);
        break;
      case 1:
        check_counter(record);
        break;
      case 2:
        check_acceptor(record);
        break;
      case 3:
        check_state(record);
        break;
      default:
        check_change_log_entry(record);
        break;
    }
  } catch (const paxoskv::kvstore::RecordFormatError&) {
    // Corruption, reported as such: the promised outcome for bad bytes.
  }
  return 0;
}

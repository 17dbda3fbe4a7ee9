#include "consensus/lease.h"

#include <charconv>

#include "consensus/build_variant.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

namespace {

constexpr char kLeaseRecordFormat = 1;
constexpr std::size_t kIdDigits = 16;

}  // namespace

std::string format_lease_id(LeaseId id) {
  std::string text(kIdDigits, '0');
  for (std::size_t i = 0; i < kIdDigits; ++i) {
    text[kIdDigits - 1 - i] = "0123456789abcdef"[(id >> (4 * i)) & 0xf];
  }
  return text;
}

std::optional<LeaseId> parse_lease_id(std::string_view text) {
  if (text.size() != kIdDigits) return std::nullopt;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  LeaseId id = 0;
  std::from_chars(text.data(), text.data() + text.size(), id, 16);
  if (id == 0) return std::nullopt;
  return id;
}

std::string lease_key(LeaseId id) {
  return std::string(kLeaseKeyPrefix) + format_lease_id(id);
}

std::optional<LeaseId> lease_of_key(std::string_view key) {
  if (!key.starts_with(kLeaseKeyPrefix)) return std::nullopt;
  return parse_lease_id(key.substr(kLeaseKeyPrefix.size()));
}

// Format byte, state byte, TTL in milliseconds as decimal digits.
std::string encode_lease(const LeaseRecord& record) {
  std::string value;
  value.push_back(kLeaseRecordFormat);
  value.push_back(static_cast<char>(record.state));
  value += std::to_string(record.ttl_ms);
  return value;
}

std::optional<LeaseRecord> decode_lease(std::string_view value) {
  if (value.size() < 3 || value[0] != kLeaseRecordFormat) return std::nullopt;
  const auto state = static_cast<std::uint8_t>(value[1]);
  if (state > static_cast<std::uint8_t>(LeaseState::kExpired)) return std::nullopt;
  LeaseRecord record;
  record.state = static_cast<LeaseState>(state);
  const std::string_view digits = value.substr(2);
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), record.ttl_ms);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return record;
}

std::optional<LeaseRecord> lease_in(const KeyValue& value) {
  if (!value) return std::nullopt;
  return decode_lease(*value);
}

bool is_lease_expiry(std::string_view key, const KeyValue& value) {
  const std::optional<LeaseRecord> record = lease_in(value);
  return lease_of_key(key) && record && record->state == LeaseState::kExpired;
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

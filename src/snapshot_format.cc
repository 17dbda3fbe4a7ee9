#include "paxoskv/snapshot_format.h"

#include <openssl/evp.h>

#include <utility>

namespace paxoskv::snapshot {

namespace {

void put_big_endian(std::string& out, std::uint64_t value, int width) {
  for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

std::uint64_t get_big_endian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (const char byte : bytes) value = (value << 8) | static_cast<unsigned char>(byte);
  return value;
}

constexpr std::size_t kHeaderBytes = 8 + 4;
constexpr std::size_t kTrailerBytes = 1 + 8 + kChecksumBytes;
// Kind, key length; then after the key: version, lease.
constexpr std::size_t kRecordStartBytes = 1 + 4;
constexpr std::size_t kRecordFixedBytes = 8 + 8;

}  // namespace

struct Sha256::State {
  struct Free {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> context{EVP_MD_CTX_new()};
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  if (!state_->context || EVP_DigestInit_ex(state_->context.get(), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("snapshot: cannot start a SHA-256 digest");
  }
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view bytes) {
  if (EVP_DigestUpdate(state_->context.get(), bytes.data(), bytes.size()) != 1) {
    throw std::runtime_error("snapshot: SHA-256 update failed");
  }
}

std::string Sha256::finish() {
  std::string digest(EVP_MAX_MD_SIZE, '\0');
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(state_->context.get(), reinterpret_cast<unsigned char*>(digest.data()),
                         &length) != 1) {
    throw std::runtime_error("snapshot: SHA-256 final failed");
  }
  digest.resize(length);
  return digest;
}

std::string Writer::hashed(std::string bytes) {
  hash_.update(bytes);
  return bytes;
}

std::string Writer::header() {
  std::string out(kMagic);
  put_big_endian(out, kSnapshotFormatVersion, 4);
  return hashed(std::move(out));
}

std::string Writer::record(const Record& record) {
  std::string out;
  out.reserve(kRecordStartBytes + record.key.size() + kRecordFixedBytes + 4 +
              (record.value ? record.value->size() : 0));
  out.push_back(static_cast<char>(record.value ? kPresent : kDeleted));
  put_big_endian(out, record.key.size(), 4);
  out.append(record.key);
  put_big_endian(out, record.version, 8);
  put_big_endian(out, record.lease, 8);
  if (record.value) {
    put_big_endian(out, record.value->size(), 4);
    out.append(*record.value);
  }
  ++count_;
  return hashed(std::move(out));
}

std::string Writer::trailer() {
  std::string out(1, static_cast<char>(kEndMarker));
  put_big_endian(out, count_, 8);
  hash_.update(out);
  out.append(hash_.finish());
  return out;
}

Parser::Parser(OnRecord on_record) : on_record_(std::move(on_record)) {}

void Parser::feed(std::string_view bytes) {
  if (done_ && !bytes.empty()) throw FormatError("bytes after the snapshot's trailer");
  pending_.append(bytes);
  while (!done_ && parse_one()) {
  }
  if (done_ && offset_ != pending_.size()) {
    throw FormatError("bytes after the snapshot's trailer");
  }
  // Keep only what is not consumed yet.
  pending_.erase(0, offset_);
  offset_ = 0;
}

bool Parser::parse_one() {
  const std::string_view rest = std::string_view(pending_).substr(offset_);
  if (!header_done_) {
    if (rest.size() < kHeaderBytes) {
      if (!std::string_view(kMagic).starts_with(rest.substr(0, kMagic.size()))) {
        throw FormatError("not a paxoskv snapshot (wrong magic)");
      }
      return false;
    }
    if (rest.substr(0, kMagic.size()) != kMagic) {
      throw FormatError("not a paxoskv snapshot (wrong magic)");
    }
    const std::uint64_t version = get_big_endian(rest.substr(kMagic.size(), 4));
    if (version != kSnapshotFormatVersion) {
      throw FormatError("unsupported snapshot format version " + std::to_string(version) +
                        " (this build reads " + std::to_string(kSnapshotFormatVersion) + ")");
    }
    hash_.update(rest.substr(0, kHeaderBytes));
    offset_ += kHeaderBytes;
    header_done_ = true;
    return true;
  }
  if (rest.empty()) return false;
  const auto kind = static_cast<std::uint8_t>(rest.front());
  if (kind == kEndMarker) {
    if (rest.size() < kTrailerBytes) return false;
    const std::uint64_t count = get_big_endian(rest.substr(1, 8));
    hash_.update(rest.substr(0, 1 + 8));
    const std::string expected = hash_.finish();
    if (rest.substr(1 + 8, kChecksumBytes) != expected) {
      throw FormatError("snapshot checksum mismatch: the file is damaged");
    }
    if (count != count_) {
      throw FormatError("snapshot trailer counts " + std::to_string(count) + " records, found " +
                        std::to_string(count_));
    }
    offset_ += kTrailerBytes;
    done_ = true;
    return true;
  }
  if (kind != kPresent && kind != kDeleted) {
    throw FormatError("bad record kind " + std::to_string(kind) + " in snapshot");
  }
  if (rest.size() < kRecordStartBytes) return false;
  const std::uint64_t key_bytes = get_big_endian(rest.substr(1, 4));
  if (key_bytes == 0 || key_bytes > kMaxKeyBytes) {
    throw FormatError("bad key length " + std::to_string(key_bytes) + " in snapshot");
  }
  std::size_t size = kRecordStartBytes + key_bytes + kRecordFixedBytes;
  if (kind == kPresent) size += 4;
  if (rest.size() < size) return false;
  std::uint64_t value_bytes = 0;
  if (kind == kPresent) {
    value_bytes = get_big_endian(rest.substr(size - 4, 4));
    if (value_bytes > kMaxValueBytes) {
      throw FormatError("bad value length " + std::to_string(value_bytes) + " in snapshot");
    }
    if (rest.size() < size + value_bytes) return false;
  }
  Record record;
  std::size_t at = kRecordStartBytes;
  record.key.assign(rest.substr(at, key_bytes));
  at += key_bytes;
  record.version = get_big_endian(rest.substr(at, 8));
  record.lease = get_big_endian(rest.substr(at + 8, 8));
  if (record.version == 0) throw FormatError("record with version 0 in snapshot");
  if (kind == kPresent) record.value.emplace(rest.substr(size, value_bytes));
  size += value_bytes;
  hash_.update(rest.substr(0, size));
  offset_ += size;
  ++count_;
  on_record_(std::move(record));
  return true;
}

std::uint64_t Parser::finish() const {
  if (!done_) throw FormatError("snapshot truncated: no trailer");
  return count_;
}

}  // namespace paxoskv::snapshot

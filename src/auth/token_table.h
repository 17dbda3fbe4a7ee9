// The tokens a replica knows, in memory: rebuilt from its store at start and kept up to
// date as token keys are applied, so that checking a token costs no I/O. Thread-safe:
// the replica's thread writes, the front end's threads read.
#pragma once

#include <cstring>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "paxoskv/auth.h"
#include "src/auth/token_record.h"
#include "src/auth/token_secret.h"

namespace paxoskv::auth {

class TokenTable {
 public:
  // The applied state of token key `key` (see token_record.h): its value, or nullopt once
  // deleted (revoked). Other keys are ignored; so is a value that does not decode (logged).
  void apply(std::string_view key, const std::optional<std::string>& value);
  // The token whose secret is `token`, or nullopt.
  std::optional<TokenInfo> find(std::string_view token) const;
  // Every token, by name.
  std::vector<TokenInfo> list() const;

 private:
  // Buckets by the digest's first bytes; equality is constant-time (same_digest).
  struct DigestHash {
    std::size_t operator()(const TokenDigest& digest) const {
      std::size_t bucket = 0;
      std::memcpy(&bucket, digest.data(), sizeof bucket);
      return bucket;
    }
  };
  struct DigestEqual {
    bool operator()(const TokenDigest& a, const TokenDigest& b) const { return same_digest(a, b); }
  };

  mutable std::shared_mutex mutex_;
  std::map<std::string, TokenRecord, std::less<>> by_name_;
  std::unordered_map<TokenDigest, std::string, DigestHash, DigestEqual> names_by_digest_;
};

}  // namespace paxoskv::auth

// The tokens a replica knows, in memory: rebuilt from its store at start and kept up to
// date as token keys are applied, so that checking a token costs no I/O. Thread-safe:
// the replica's thread writes, the front end's threads read.
//
// A token read from the store at start is *unconfirmed*: the replica may have been down
// while it was revoked, and anti-entropy takes a moment to say so. Such a token is
// trusted only once a linearizable read of its key, made after the start, found it
// (settle). A state applied after the start (chosen through this replica, or learned
// from a peer) counts at once, as it did before the restart.
#pragma once

#include <cstdint>
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

// What the table says of a token's secret.
struct TokenLookup {
  enum class Standing {
    unknown,      // no token has this secret here
    confirmed,    // `holder` holds it
    unconfirmed,  // `holder` held it when this replica stopped: settle it before trusting it
  };
  Standing standing = Standing::unknown;
  TokenInfo holder;
};

class TokenTable {
 public:
  // The state of token key `key` at `version` as stored before this start: unconfirmed.
  void load(std::string_view key, const std::string& value, std::uint64_t version);
  // A state of token key `key` applied now: its value, or nullopt once deleted (revoked).
  // Other keys are ignored; so is a value that does not decode (logged).
  void apply(std::string_view key, const std::optional<std::string>& value, std::uint64_t version);
  // The latest state of token `name` as a linearizable read found it, at `version`. It
  // confirms the token if it still has the secret it had, else drops it; it never adds a
  // token, nor touches one applied at a later version.
  void settle(std::string_view name, const std::optional<std::string>& value,
              std::uint64_t version);

  TokenLookup lookup(std::string_view token) const;
  // The token whose secret is `token`, confirmed or not, or nullopt: for a check again of
  // a token that was confirmed when its request began.
  std::optional<TokenInfo> find(std::string_view token) const;
  // Every token, by name.
  std::vector<TokenInfo> list() const;

 private:
  struct Entry {
    TokenRecord record;
    std::uint64_t version = 0;
    bool confirmed = false;
  };
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

  // Replaces (or, with no record, drops) token `name`'s entry; the caller holds the lock.
  void put_locked(std::string_view name, std::optional<Entry> entry);
  // The decoded record of a token key's value (logged when malformed).
  static std::optional<TokenRecord> record_of(std::string_view name,
                                              const std::optional<std::string>& value);

  mutable std::shared_mutex mutex_;
  std::map<std::string, Entry, std::less<>> by_name_;
  std::unordered_map<TokenDigest, std::string, DigestHash, DigestEqual> names_by_digest_;
};

}  // namespace paxoskv::auth

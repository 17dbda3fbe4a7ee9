#include "src/auth/token_table.h"

#include <spdlog/spdlog.h>

#include <mutex>

namespace paxoskv::auth {

std::optional<TokenRecord> TokenTable::record_of(std::string_view name,
                                                 const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  std::optional<TokenRecord> record = decode_token_record(*value);
  if (!record) spdlog::error("paxoskv auth: the record of token '{}' is malformed", name);
  return record;
}

void TokenTable::put_locked(std::string_view name, std::optional<Entry> entry) {
  if (auto it = by_name_.find(name); it != by_name_.end()) {
    names_by_digest_.erase(it->second.record.digest);
    by_name_.erase(it);
  }
  if (!entry) return;
  names_by_digest_[entry->record.digest] = std::string(name);
  by_name_.emplace(std::string(name), std::move(*entry));
}

void TokenTable::load(std::string_view key, const std::string& value, std::uint64_t version) {
  const std::optional<std::string_view> name = token_name_of(key);
  if (!name) return;
  std::optional<TokenRecord> record = record_of(*name, value);
  if (!record) return;
  const std::unique_lock lock(mutex_);
  put_locked(*name, Entry{std::move(*record), version, false});
}

void TokenTable::apply(std::string_view key, const std::optional<std::string>& value,
                       std::uint64_t version) {
  const std::optional<std::string_view> name = token_name_of(key);
  if (!name) return;
  std::optional<TokenRecord> record = record_of(*name, value);
  const std::unique_lock lock(mutex_);
  if (!record) return put_locked(*name, std::nullopt);
  put_locked(*name, Entry{std::move(*record), version, true});
}

void TokenTable::settle(std::string_view name, const std::optional<std::string>& value,
                        std::uint64_t version) {
  const std::optional<TokenRecord> found = record_of(name, value);
  const std::unique_lock lock(mutex_);
  const auto it = by_name_.find(name);
  if (it == by_name_.end() || it->second.version > version) return;
  if (found && same_digest(found->digest, it->second.record.digest)) {
    it->second = Entry{*found, version, true};
    return;
  }
  put_locked(name, std::nullopt);
}

TokenLookup TokenTable::lookup(std::string_view token) const {
  const TokenDigest digest = digest_of(token);
  const std::shared_lock lock(mutex_);
  const auto named = names_by_digest_.find(digest);
  if (named == names_by_digest_.end()) return {};
  const Entry& entry = by_name_.find(named->second)->second;
  return TokenLookup{
      entry.confirmed ? TokenLookup::Standing::confirmed : TokenLookup::Standing::unconfirmed,
      TokenInfo{named->second, entry.record.role, entry.record.prefix}};
}

std::optional<TokenInfo> TokenTable::find(std::string_view token) const {
  TokenLookup found = lookup(token);
  if (found.standing == TokenLookup::Standing::unknown) return std::nullopt;
  return std::move(found.holder);
}

std::vector<TokenInfo> TokenTable::list() const {
  const std::shared_lock lock(mutex_);
  std::vector<TokenInfo> tokens;
  tokens.reserve(by_name_.size());
  for (const auto& [name, entry] : by_name_) {
    tokens.push_back(TokenInfo{name, entry.record.role, entry.record.prefix});
  }
  return tokens;
}

}  // namespace paxoskv::auth

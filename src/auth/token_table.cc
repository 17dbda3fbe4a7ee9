#include "src/auth/token_table.h"

#include <spdlog/spdlog.h>

#include <mutex>

namespace paxoskv::auth {

void TokenTable::apply(std::string_view key, const std::optional<std::string>& value) {
  const std::optional<std::string_view> name = token_name_of(key);
  if (!name) return;
  std::optional<TokenRecord> record;
  if (value) {
    record = decode_token_record(*value);
    if (!record) spdlog::error("paxoskv auth: the record of token '{}' is malformed", *name);
  }
  const std::unique_lock lock(mutex_);
  if (auto it = by_name_.find(*name); it != by_name_.end()) {
    names_by_digest_.erase(it->second.digest);
    by_name_.erase(it);
  }
  if (!record) return;
  names_by_digest_[record->digest] = std::string(*name);
  by_name_.emplace(std::string(*name), std::move(*record));
}

std::optional<TokenInfo> TokenTable::find(std::string_view token) const {
  const TokenDigest digest = digest_of(token);
  const std::shared_lock lock(mutex_);
  const auto named = names_by_digest_.find(digest);
  if (named == names_by_digest_.end()) return std::nullopt;
  const TokenRecord& record = by_name_.find(named->second)->second;
  return TokenInfo{named->second, record.role, record.prefix};
}

std::vector<TokenInfo> TokenTable::list() const {
  const std::shared_lock lock(mutex_);
  std::vector<TokenInfo> tokens;
  tokens.reserve(by_name_.size());
  for (const auto& [name, record] : by_name_) {
    tokens.push_back(TokenInfo{name, record.role, record.prefix});
  }
  return tokens;
}

}  // namespace paxoskv::auth

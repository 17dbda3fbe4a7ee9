#include "tests/http/fake_backend.h"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <memory>

namespace paxoskv::http::testing {

namespace {

bool present(const std::optional<std::string>& value) {
  return value.has_value();
}

Result outcome(Errc code, std::uint64_t version = 0, std::optional<std::string> value = {},
               std::string message = {}) {
  Result result;
  result.code = code;
  result.version = version;
  result.value = std::move(value);
  result.message = std::move(message);
  return result;
}

}  // namespace

Result FakeBackend::refusal(const std::string& key) const {
  if (shutting_down_) return outcome(Errc::shutting_down, 0, {}, "fake stops");
  if (removed_ || key == removed_key) return outcome(Errc::removed);
  if (key == no_quorum_key) return outcome(Errc::no_quorum, 0, {}, "fake minority");
  return Result{};
}

Result FakeBackend::state_of(const std::string& key) const {
  const auto found = records_.find(key);
  if (found == records_.end()) return outcome(Errc::not_found);
  const Record& record = found->second;
  if (!present(record.value)) return outcome(Errc::not_found, record.version);
  return outcome(Errc::ok, record.version, record.value);
}

std::vector<Change> FakeBackend::changes_after(const std::string& prefix,
                                               std::uint64_t after_index) const {
  std::vector<Change> changes;
  for (auto it = records_.lower_bound(prefix); it != records_.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;
    if (it->second.index > after_index) {
      changes.push_back(Change{it->first, it->second.value, it->second.version, it->second.index});
    }
  }
  std::sort(changes.begin(), changes.end(),
            [](const Change& a, const Change& b) { return a.index < b.index; });
  return changes;
}

std::vector<FakeBackend::Notification> FakeBackend::apply(const std::string& key,
                                                          std::optional<std::string> value) {
  Record& record = records_[key];
  record.value = std::move(value);
  ++record.version;
  record.index = ++index_;

  std::vector<Notification> notifications;
  for (auto it = key_waits_.begin(); it != key_waits_.end();) {
    if (it->second.key == key && record.version > it->second.after_version) {
      notifications.push_back(
          [done = std::move(it->second.done), state = state_of(key)] { done(state); });
      it = key_waits_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = prefix_waits_.begin(); it != prefix_waits_.end();) {
    if (key.starts_with(it->second.prefix)) {
      notifications.push_back([done = std::move(it->second.done),
                               changes = changes_after(it->second.prefix, it->second.after_index),
                               index = index_] { done(changes, index); });
      it = prefix_waits_.erase(it);
    } else {
      ++it;
    }
  }
  return notifications;
}

void FakeBackend::put(const std::string& key, std::string value,
                      std::optional<std::uint64_t> expected, ResultCallback done) {
  std::vector<Notification> notifications;
  Result result;
  {
    const std::lock_guard lock(mutex_);
    result = refusal(key);
    if (result.ok()) {
      const Result current = state_of(key);
      const bool exists = current.ok();
      if (expected && (*expected == 0 ? exists : !exists || current.version != *expected)) {
        result = outcome(Errc::conflict, current.version);
      } else {
        notifications = apply(key, std::move(value));
        result = outcome(Errc::ok, records_[key].version);
      }
    }
  }
  for (const auto& notify : notifications) notify();
  done(result);
}

void FakeBackend::remove(const std::string& key, std::optional<std::uint64_t> expected,
                         ResultCallback done) {
  std::vector<Notification> notifications;
  Result result;
  {
    const std::lock_guard lock(mutex_);
    result = refusal(key);
    if (result.ok()) {
      const Result current = state_of(key);
      if (!current.ok()) {
        result = current;  // not found: nothing changes
      } else if (expected && current.version != *expected) {
        result = outcome(Errc::conflict, current.version);
      } else {
        notifications = apply(key, std::nullopt);
        result = outcome(Errc::ok, records_[key].version);
      }
    }
  }
  for (const auto& notify : notifications) notify();
  done(result);
}

void FakeBackend::get(const std::string& key, Consistency consistency, ResultCallback done) {
  Result result;
  {
    const std::lock_guard lock(mutex_);
    last_consistency_ = consistency;
    const bool served_locally = consistency == Consistency::local && !shutting_down_ && !removed_;
    result = served_locally ? Result{} : refusal(key);
    if (result.ok()) result = state_of(key);
  }
  done(result);
}

void FakeBackend::wait_key(const std::string& key, std::uint64_t after_version,
                           std::chrono::milliseconds timeout, ResultCallback done) {
  std::unique_lock lock(mutex_);
  last_wait_timeout_ = timeout;
  Result current = state_of(key);
  if (current.version > after_version) {
    lock.unlock();
    done(current);
    return;
  }
  const std::uint64_t id = next_wait_id_++;
  key_waits_.emplace(id, KeyWait{key, after_version, std::move(done)});
  expire_after(id, timeout);
}

void FakeBackend::wait_prefix(const std::string& prefix, std::uint64_t after_index,
                              std::chrono::milliseconds timeout, ChangesCallback done) {
  std::unique_lock lock(mutex_);
  last_wait_timeout_ = timeout;
  auto changes = changes_after(prefix, after_index);
  if (!changes.empty()) {
    const std::uint64_t index = index_;
    lock.unlock();
    done(std::move(changes), index);
    return;
  }
  const std::uint64_t id = next_wait_id_++;
  prefix_waits_.emplace(id, PrefixWait{prefix, after_index, std::move(done)});
  expire_after(id, timeout);
}

void FakeBackend::expire_after(std::uint64_t wait_id, std::chrono::milliseconds timeout) {
  if (!timers_) return;
  auto timer = std::make_shared<boost::asio::steady_timer>(*timers_, timeout);
  // The handler keeps the timer alive; a wait answered earlier is simply gone by then.
  timer->async_wait([this, wait_id, timer](boost::system::error_code error) {
    if (error) return;
    std::optional<Notification> notification;
    {
      const std::lock_guard lock(mutex_);
      notification = take_expired(wait_id);
    }
    if (notification) (*notification)();
  });
}

std::optional<FakeBackend::Notification> FakeBackend::take_expired(std::uint64_t wait_id) {
  if (auto found = key_waits_.find(wait_id); found != key_waits_.end()) {
    Notification notify = [done = std::move(found->second.done),
                           state = state_of(found->second.key)] { done(state); };
    key_waits_.erase(found);
    return notify;
  }
  if (auto found = prefix_waits_.find(wait_id); found != prefix_waits_.end()) {
    Notification notify = [done = std::move(found->second.done), index = index_] {
      done({}, index);
    };
    prefix_waits_.erase(found);
    return notify;
  }
  return std::nullopt;
}

void FakeBackend::expire_waits() {
  std::vector<Notification> notifications;
  {
    const std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> ids;
    for (const auto& [id, wait] : key_waits_) ids.push_back(id);
    for (const auto& [id, wait] : prefix_waits_) ids.push_back(id);
    for (const auto id : ids) notifications.push_back(*take_expired(id));
  }
  for (const auto& notify : notifications) notify();
}

std::size_t FakeBackend::pending_waits() const {
  const std::lock_guard lock(mutex_);
  return key_waits_.size() + prefix_waits_.size();
}

ListResult FakeBackend::list(const std::string& prefix, const std::string& after,
                             std::size_t limit) {
  const std::lock_guard lock(mutex_);
  last_list_limit_ = limit;
  ListResult result;
  result.index = index_;
  auto it = after < prefix ? records_.lower_bound(prefix) : records_.upper_bound(after);
  for (; it != records_.end() && it->first.starts_with(prefix); ++it) {
    if (!present(it->second.value)) continue;
    if (result.items.size() == limit) {
      result.more = true;
      break;
    }
    result.items.push_back(Entry{it->first, *it->second.value, it->second.version});
  }
  return result;
}

std::uint64_t FakeBackend::index() const {
  const std::lock_guard lock(mutex_);
  return index_;
}

MembershipResult FakeBackend::change_refusal(const std::string& peer_address) const {
  if (shutting_down_) return {outcome(Errc::shutting_down), membership_};
  if (removed_) return {outcome(Errc::removed, 0, {}, "removed"), membership_};
  if (peer_address == no_quorum_address) {
    return {outcome(Errc::no_quorum, 0, {}, "fake minority"), membership_};
  }
  return {Result{}, membership_};
}

void FakeBackend::add_member(std::uint32_t id, const std::string& peer_address,
                             MembershipCallback done) {
  MembershipResult answer;
  {
    const std::lock_guard lock(mutex_);
    answer = change_refusal(peer_address);
    auto& members = membership_.members;
    const auto is_id = [id](const Member& member) { return member.id == id; };
    if (!answer.result.ok()) {
      // refused as it is
    } else if (peer_address.find(':') == std::string::npos) {
      answer.result =
          outcome(Errc::invalid_argument, 0, {}, "bad peer address: expected host:port");
    } else if (std::any_of(members.begin(), members.end(), is_id) ||
               std::count(membership_.retired.begin(), membership_.retired.end(), id) > 0) {
      answer.result = outcome(Errc::conflict, 0, {}, "fake: id taken");
    } else {
      members.push_back({id, peer_address});
      membership_.config_version += 2;  // into the joint configuration and out
      answer.membership = membership_;
    }
  }
  answer_change(std::move(answer), std::move(done));
}

void FakeBackend::remove_member(std::uint32_t id, MembershipCallback done) {
  MembershipResult answer;
  {
    const std::lock_guard lock(mutex_);
    answer = change_refusal({});
    auto& members = membership_.members;
    const auto found = std::find_if(members.begin(), members.end(),
                                    [id](const Member& member) { return member.id == id; });
    if (!answer.result.ok()) {
      // refused as it is
    } else if (found == members.end()) {
      answer.result = outcome(Errc::not_found);
    } else if (members.size() == 1) {
      answer.result = outcome(Errc::conflict);
    } else {
      members.erase(found);
      membership_.retired.push_back(id);
      membership_.config_version += 2;
      answer.membership = membership_;
    }
  }
  answer_change(std::move(answer), std::move(done));
}

void FakeBackend::answer_change(MembershipResult answer, MembershipCallback done) {
  std::chrono::milliseconds delay;
  {
    const std::lock_guard lock(mutex_);
    delay = member_change_delay_;
  }
  if (delay.count() == 0 || !timers_) {
    done(std::move(answer));
    return;
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(*timers_, delay);
  timer->async_wait([timer, answer = std::move(answer),
                     done = std::move(done)](boost::system::error_code error) mutable {
    if (!error) done(std::move(answer));
  });
}

Membership FakeBackend::membership() const {
  const std::lock_guard lock(mutex_);
  return membership_;
}

bool FakeBackend::removed() const {
  const std::lock_guard lock(mutex_);
  return removed_;
}

void FakeBackend::set_removed(bool removed) {
  const std::lock_guard lock(mutex_);
  removed_ = removed;
}

void FakeBackend::set_member_change_delay(std::chrono::milliseconds delay) {
  const std::lock_guard lock(mutex_);
  member_change_delay_ = delay;
}

void FakeBackend::create_token(const std::string& name, Role role, const std::string& prefix,
                               TokenCallback done) {
  const std::vector<TokenInfo> known = tokens_.list();
  if (std::any_of(known.begin(), known.end(),
                  [&](const TokenInfo& token) { return token.name == name; })) {
    return done(
        CreatedToken{outcome(Errc::conflict, 0, {}, "a token named '" + name + "' exists"), {}});
  }
  std::string token = auth::make_token();
  add_token(name, role, prefix, token);
  done(CreatedToken{outcome(Errc::ok), std::move(token)});
}

void FakeBackend::revoke_token(const std::string& name, ResultCallback done) {
  const std::vector<TokenInfo> known = tokens_.list();
  if (std::none_of(known.begin(), known.end(),
                   [&](const TokenInfo& token) { return token.name == name; })) {
    return done(outcome(Errc::not_found, 0, {}, "no token named '" + name + "'"));
  }
  tokens_.apply(auth::token_key(name), std::nullopt, 0);
  done(outcome(Errc::ok));
}

std::vector<TokenInfo> FakeBackend::tokens() const {
  return tokens_.list();
}

void FakeBackend::authenticate(std::string_view token, std::function<void(Authentication)> done) {
  using Standing = auth::TokenLookup::Standing;
  auth::TokenLookup found = tokens_.lookup(token);
  if (found.standing == Standing::unknown) return done(Authentication{outcome(Errc::ok), {}});
  if (found.standing == Standing::unconfirmed) {
    std::optional<Result> check;
    {
      const std::lock_guard lock(mutex_);
      ++token_checks_;
      check = token_check_;
    }
    if (!check->ok()) return done(Authentication{*check, {}});
    tokens_.settle(found.holder.name, check->value, 0);
    return authenticate(token, std::move(done));
  }
  done(Authentication{outcome(Errc::ok), std::move(found.holder)});
}

std::optional<TokenInfo> FakeBackend::known_token(std::string_view token) const {
  return tokens_.find(token);
}

void FakeBackend::add_token(const std::string& name, Role role, const std::string& prefix,
                            const std::string& secret) {
  tokens_.apply(auth::token_key(name),
                auth::encode_token_record(auth::TokenRecord{role, prefix, auth::digest_of(secret)}),
                0);
}

void FakeBackend::add_unconfirmed_token(const std::string& name, Role role,
                                        const std::string& prefix, const std::string& secret) {
  const std::string value =
      auth::encode_token_record(auth::TokenRecord{role, prefix, auth::digest_of(secret)});
  tokens_.load(auth::token_key(name), value, 0);
  const std::lock_guard lock(mutex_);
  token_check_ = outcome(Errc::ok, 0, value);
}

void FakeBackend::set_token_check(Result check) {
  const std::lock_guard lock(mutex_);
  token_check_ = std::move(check);
}

std::size_t FakeBackend::token_checks() const {
  const std::lock_guard lock(mutex_);
  return token_checks_;
}

Readiness FakeBackend::readiness() const {
  const std::lock_guard lock(mutex_);
  return readiness_;
}

void FakeBackend::set_readiness(Readiness readiness) {
  const std::lock_guard lock(mutex_);
  readiness_ = readiness;
}

std::string FakeBackend::status_json() const {
  return R"({"id":1,"cluster":{"1":"127.0.0.1:9001"},"reachable":{}})";
}

std::string FakeBackend::metrics_text() const {
  return "# TYPE paxoskv_fake_up gauge\npaxoskv_fake_up 1";
}

std::chrono::milliseconds FakeBackend::last_wait_timeout() const {
  const std::lock_guard lock(mutex_);
  return last_wait_timeout_;
}

std::optional<Consistency> FakeBackend::last_consistency() const {
  const std::lock_guard lock(mutex_);
  return last_consistency_;
}

std::size_t FakeBackend::last_list_limit() const {
  const std::lock_guard lock(mutex_);
  return last_list_limit_;
}

void FakeBackend::set_shutting_down(bool shutting_down) {
  const std::lock_guard lock(mutex_);
  shutting_down_ = shutting_down;
}

void FakeBackend::put_with_lease(const std::string& key, std::string value,
                                 std::optional<std::uint64_t> expected, const std::string& lease,
                                 ResultCallback done) {
  {
    const std::lock_guard lock(mutex_);
    auto it = leases_.find(lease);
    if (it == leases_.end() || !it->second.live) {
      done(Result::failure(Errc::not_found, 0, "lease not found"));
      return;
    }
  }
  put(key, std::move(value), expected, [this, key, lease, done](Result result) {
    if (result.ok()) {
      const std::lock_guard lock(mutex_);
      leases_[lease].keys.push_back(key);
    }
    done(std::move(result));
  });
}

void FakeBackend::grant_lease(std::chrono::milliseconds ttl, LeaseCallback done) {
  LeaseInfo info;
  {
    const std::lock_guard lock(mutex_);
    char id[17];
    std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(++leases_granted_));
    info.id = id;
    info.ttl = ttl;
    info.remaining = ttl;
    leases_[info.id] = FakeLease{ttl, true, {}};
  }
  done(LeaseResult{Result{}, std::move(info)});
}

void FakeBackend::keep_alive(const std::string& id, LeaseCallback done) {
  lease(id, [done](LeaseResult result) {
    result.lease.keys.clear();
    done(std::move(result));
  });
}

void FakeBackend::revoke_lease(const std::string& id, ResultCallback done) {
  std::vector<std::string> keys;
  {
    const std::lock_guard lock(mutex_);
    auto it = leases_.find(id);
    if (it == leases_.end() || !it->second.live) {
      done(Result::failure(Errc::not_found, 0, "lease not found"));
      return;
    }
    it->second.live = false;
    keys = std::move(it->second.keys);
  }
  for (const std::string& key : keys) remove(key, std::nullopt, [](Result) {});
  done(Result{});
}

void FakeBackend::lease(const std::string& id, LeaseCallback done) {
  LeaseResult result;
  {
    const std::lock_guard lock(mutex_);
    auto it = leases_.find(id);
    if (it == leases_.end() || !it->second.live) {
      result.result = Result::failure(Errc::not_found, 0, "lease not found");
    } else {
      result.lease = LeaseInfo{id, it->second.ttl, it->second.ttl, it->second.keys};
    }
  }
  done(std::move(result));
}

}  // namespace paxoskv::http::testing

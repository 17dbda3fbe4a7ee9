#include "src/waiters.h"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>

#include "consensus/configuration.h"

namespace paxoskv {

namespace {
constexpr std::size_t kMaxChangesPerAnswer = 1000;
}

struct Waiters::KeyWaiter {
  std::string key;
  std::uint64_t after_version = 0;
  ResultCallback done;
  boost::asio::steady_timer timer;
  bool answered = false;
};

struct Waiters::PrefixWaiter {
  std::string prefix;
  std::uint64_t after_index = 0;
  ChangesCallback done;
  boost::asio::steady_timer timer;
  bool answered = false;
};

Waiters::Waiters(boost::asio::io_context& io, const kvstore::Store& store, LocalRead read_local)
    : io_(io), store_(store), read_local_(std::move(read_local)) {}

Waiters::~Waiters() {
  for (auto& [key, waiter] : key_waiters_) waiter->timer.cancel();
  for (auto& waiter : prefix_waiters_) waiter->timer.cancel();
}

std::vector<Change> Waiters::changes_after(const kvstore::Store& store, std::uint64_t after_index,
                                           const std::string& prefix, std::uint64_t* index) {
  const kvstore::ChangesPage page = store.changes_after(after_index, kMaxChangesPerAnswer, prefix);
  std::vector<Change> changes;
  changes.reserve(page.changes.size());
  for (const kvstore::Change& change : page.changes) {
    if (consensus::is_reserved_key(change.key)) continue;  // the core's own, not a client's
    changes.push_back(
        Change{change.key, change.state.value, change.state.version, change.state.change_index});
  }
  // With more pages, the client continues from the last change it got.
  *index = page.more ? page.next_index : std::max(page.next_index, store.index());
  return changes;
}

template <typename Waiter>
void Waiters::answer_at_timeout(const std::shared_ptr<Waiter>& waiter,
                                std::chrono::milliseconds timeout) {
  waiter->timer.expires_after(timeout);
  waiter->timer.async_wait([this, waiter](boost::system::error_code error) {
    if (!error) answer(waiter);
  });
}

void Waiters::wait_key(const std::string& key, std::uint64_t after_version,
                       std::chrono::milliseconds timeout, ResultCallback done,
                       bool answer_from_store) {
  if (answer_from_store || timeout.count() <= 0) {
    Result current = read_local_(key);
    if (current.version > after_version || timeout.count() <= 0) {
      done(std::move(current));
      return;
    }
  }
  auto waiter = std::make_shared<KeyWaiter>(
      KeyWaiter{key, after_version, std::move(done), boost::asio::steady_timer(io_), false});
  answer_at_timeout(waiter, timeout);
  key_waiters_.emplace(key, std::move(waiter));
}

void Waiters::wait_prefix(const std::string& prefix, std::uint64_t after_index,
                          std::chrono::milliseconds timeout, ChangesCallback done) {
  std::uint64_t index = 0;
  std::vector<Change> changes = changes_after(store_, after_index, prefix, &index);
  // A page of the core's own changes only, with more behind it, is answered now (empty):
  // the client goes on past it rather than wait for changes that are there already.
  const bool more_to_read = index < store_.index();
  if (!changes.empty() || more_to_read || timeout.count() <= 0) {
    done(std::move(changes), index);
    return;
  }
  auto waiter = std::make_shared<PrefixWaiter>(
      PrefixWaiter{prefix, after_index, std::move(done), boost::asio::steady_timer(io_), false});
  answer_at_timeout(waiter, timeout);
  prefix_waiters_.push_back(std::move(waiter));
}

void Waiters::answer(const std::shared_ptr<KeyWaiter>& waiter) {
  answer(waiter, read_local_(waiter->key));
}

void Waiters::answer(const std::shared_ptr<KeyWaiter>& waiter, Result result) {
  if (waiter->answered) return;
  waiter->answered = true;
  waiter->timer.cancel();
  auto range = key_waiters_.equal_range(waiter->key);
  for (auto it = range.first; it != range.second; ++it) {
    if (it->second == waiter) {
      key_waiters_.erase(it);
      break;
    }
  }
  waiter->done(std::move(result));
}

void Waiters::answer(const std::shared_ptr<PrefixWaiter>& waiter) {
  if (waiter->answered) return;
  waiter->answered = true;
  waiter->timer.cancel();
  std::erase(prefix_waiters_, waiter);
  std::uint64_t index = 0;
  std::vector<Change> changes = changes_after(store_, waiter->after_index, waiter->prefix, &index);
  waiter->done(std::move(changes), index);
}

void Waiters::on_applied(const std::vector<Change>& changes) {
  if (key_waiters_.empty() && prefix_waiters_.empty()) return;
  for (const Change& change : changes) {
    std::vector<std::shared_ptr<KeyWaiter>> due;
    auto range = key_waiters_.equal_range(change.key);
    for (auto it = range.first; it != range.second; ++it) {
      if (change.version > it->second->after_version) due.push_back(it->second);
    }
    for (const auto& waiter : due) {
      answer(waiter, change.value ? Result{Errc::ok, change.version, change.value, {}}
                                  : Result::failure(Errc::not_found, change.version));
    }
  }
  std::vector<std::shared_ptr<PrefixWaiter>> due_prefixes;
  for (const auto& waiter : prefix_waiters_) {
    const bool matches = std::any_of(changes.begin(), changes.end(), [&](const Change& change) {
      return change.key.starts_with(waiter->prefix);
    });
    if (matches) due_prefixes.push_back(waiter);
  }
  for (const auto& waiter : due_prefixes) answer(waiter);
}

void Waiters::release_all() {
  std::vector<std::shared_ptr<KeyWaiter>> keys;
  for (auto& [key, waiter] : key_waiters_) keys.push_back(waiter);
  for (const auto& waiter : keys) answer(waiter);
  std::vector<std::shared_ptr<PrefixWaiter>> prefixes = prefix_waiters_;
  for (const auto& waiter : prefixes) answer(waiter);
}

}  // namespace paxoskv

// Long polls waiting on this replica's applied changes: on one key (until its version
// passes a given one) or on a prefix (until a change after a given change index). Each
// is a timer and a callback: thousands cost little. Runs on the replica's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "kvstore/store.h"
#include "paxoskv/result.h"

namespace paxoskv {

class Waiters {
 public:
  using ResultCallback = std::function<void(Result)>;
  using ChangesCallback = std::function<void(std::vector<Change> changes, std::uint64_t index)>;
  using LocalRead = std::function<Result(const std::string& key)>;

  Waiters(boost::asio::io_context& io, const kvstore::Store& store, LocalRead read_local);
  ~Waiters();
  Waiters(const Waiters&) = delete;
  Waiters& operator=(const Waiters&) = delete;

  // With `answer_from_store`, answers at once if the store is past `after_version`;
  // otherwise waits for on_applied.
  void wait_key(const std::string& key, std::uint64_t after_version,
                std::chrono::milliseconds timeout, ResultCallback done,
                bool answer_from_store = true);
  void wait_prefix(const std::string& prefix, std::uint64_t after_index,
                   std::chrono::milliseconds timeout, ChangesCallback done);

  // These states were applied (and written), in this order. A key's waiters are answered
  // with the state that passed their version, not whatever the store holds by now, so a
  // key's watch sees every version this replica applies.
  void on_applied(const std::vector<Change>& changes);
  // Answers every waiter now with the current state.
  void release_all();
  std::size_t size() const { return key_waiters_.size() + prefix_waiters_.size(); }

  // The changes under `prefix` after `after_index`, as long polls and listings show them.
  static std::vector<Change> changes_after(const kvstore::Store& store, std::uint64_t after_index,
                                           const std::string& prefix, std::uint64_t* index);

 private:
  struct KeyWaiter;
  struct PrefixWaiter;

  template <typename Waiter>
  void answer_at_timeout(const std::shared_ptr<Waiter>& waiter, std::chrono::milliseconds timeout);
  void answer(const std::shared_ptr<KeyWaiter>& waiter);
  void answer(const std::shared_ptr<KeyWaiter>& waiter, Result result);
  void answer(const std::shared_ptr<PrefixWaiter>& waiter);

  boost::asio::io_context& io_;
  const kvstore::Store& store_;
  LocalRead read_local_;
  std::unordered_multimap<std::string, std::shared_ptr<KeyWaiter>> key_waiters_;
  std::vector<std::shared_ptr<PrefixWaiter>> prefix_waiters_;
};

}  // namespace paxoskv

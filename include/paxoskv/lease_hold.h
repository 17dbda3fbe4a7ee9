// Locks and leadership for programs that embed a replica (Node::lock, Node::campaign): a
// key held through a lease that a background thread keeps alive until the hold is
// released (or destroyed), or until the lease is lost.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "paxoskv/result.h"

namespace paxoskv {

class Node;

class LeaseHold {
 public:
  // Keeps lease `lease` of `ttl` alive on `node` from now on (a keepalive every third of
  // the TTL) for the key `key` taken at version `fencing_token`.
  LeaseHold(Node& node, std::string key, std::uint64_t fencing_token, std::string lease,
            std::chrono::milliseconds ttl);
  // Releases the hold (see release()).
  ~LeaseHold();
  LeaseHold(const LeaseHold&) = delete;
  LeaseHold& operator=(const LeaseHold&) = delete;

  const std::string& key() const { return key_; }
  // The key's version when taken: larger for every later holder. A resource the hold
  // protects refuses writes that carry a smaller one.
  std::uint64_t fencing_token() const { return fencing_token_; }
  const std::string& lease() const { return lease_; }
  // False once the hold is lost: a keepalive found the lease gone, or none was answered
  // for a whole TTL. Then another may hold the key.
  bool held() const;
  // Revokes the lease, which deletes the key: the next waiter takes it at once. Ok, or
  // the revoke's failure (the lease then runs out by itself within its TTL).
  Result release();

 private:
  void keep_alive_until_stopped();

  Node& node_;
  const std::string key_;
  const std::uint64_t fencing_token_;
  const std::string lease_;
  const std::chrono::milliseconds ttl_;
  mutable std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  bool held_ = true;
  bool released_ = false;
  std::thread keeper_;  // last: starts once the rest is set
};

// No limit to how long lock() and campaign() wait.
inline constexpr std::chrono::milliseconds kWaitForever = std::chrono::milliseconds::max();

struct HoldResult {
  // ok: `hold` holds the key. conflict: another held it for the whole wait (`version` is
  // the key's). not_found: the hold's own lease was lost while waiting. invalid_argument,
  // no_quorum, no_space, shutting_down: as for put().
  Result result;
  std::unique_ptr<LeaseHold> hold;
};

// Node::lock and Node::campaign: takes `key` = `value` through a new lease of `ttl`.
HoldResult take_hold(Node& node, const std::string& key, const std::string& value,
                     std::chrono::milliseconds ttl, std::chrono::milliseconds wait_limit);

}  // namespace paxoskv

// A lease that paxoskvctl holds for a lock or a campaign: granted, kept alive, and
// revoked when done, which deletes the key it holds.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "tools/ctl/client.h"

namespace paxoskv::ctl {

class LeaseHolder {
 public:
  using Clock = std::chrono::steady_clock;

  // Grants a lease of `ttl`; throws CtlError when the cluster refuses or cannot.
  LeaseHolder(Client& client, std::chrono::milliseconds ttl);
  // Revokes the lease if it is still held (best effort: it expires anyway).
  ~LeaseHolder();
  LeaseHolder(const LeaseHolder&) = delete;
  LeaseHolder& operator=(const LeaseHolder&) = delete;

  const std::string& id() const { return id_; }
  std::chrono::milliseconds ttl() const { return ttl_; }

  // Puts `key` = `value` attached to the lease, only while the key is absent; while it is
  // present (another holder), waits for it to go, keeping the lease alive. Returns the
  // key's version once written: the fencing token, larger than any earlier holder's.
  std::uint64_t acquire(const std::string& key, const std::string& value);

  // When the next keepalive is due: a third of the TTL after the last one was sent.
  Clock::time_point keepalive_due() const { return last_sent_ + ttl_ / 3; }
  // Sends a keepalive now. Throws CtlError (not_found) when the lease is gone: whatever it
  // held is lost. A cluster that cannot answer is tried again until the lease would have
  // run out since the last keepalive that was answered.
  void keep_alive();
  // Revokes the lease now: the key it holds is deleted.
  void release();

 private:
  // Whether the lease holds `key` now (GET of the lease).
  bool holds(const std::string& key);

  Client& client_;
  std::chrono::milliseconds ttl_;
  std::string id_;
  Clock::time_point last_sent_;      // when the last keepalive (or the grant) was sent
  Clock::time_point last_answered_;  // the send time of the last one answered 200
  bool released_ = false;
};

}  // namespace paxoskv::ctl

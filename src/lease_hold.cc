#include "paxoskv/lease_hold.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <memory>

#include "paxoskv/node.h"

namespace paxoskv {

LeaseHold::LeaseHold(Node& node, std::string key, std::uint64_t fencing_token, std::string lease,
                     std::chrono::milliseconds ttl)
    : node_(node),
      key_(std::move(key)),
      fencing_token_(fencing_token),
      lease_(std::move(lease)),
      ttl_(ttl),
      keeper_([this] { keep_alive_until_stopped(); }) {}

LeaseHold::~LeaseHold() {
  release();
}

bool LeaseHold::held() const {
  const std::lock_guard lock(mutex_);
  return held_;
}

void LeaseHold::keep_alive_until_stopped() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_answered = Clock::now();
  std::unique_lock lock(mutex_);
  while (!stop_.wait_for(lock, ttl_ / 3, [this] { return stopping_; })) {
    lock.unlock();
    const Clock::time_point sent = Clock::now();
    const LeaseResult renewed = node_.keep_alive(lease_);
    lock.lock();
    if (renewed.result.ok()) {
      last_answered = sent;
    } else if (renewed.result.code == Errc::not_found || Clock::now() - last_answered >= ttl_) {
      spdlog::warn("paxoskv: the hold of '{}' is lost: its lease {} {}", key_, lease_,
                   renewed.result.code == Errc::not_found ? "is gone" : "was not renewed in time");
      held_ = false;
      return;
    }
  }
}

Result LeaseHold::release() {
  {
    const std::lock_guard lock(mutex_);
    if (released_) return Result{};
    released_ = true;
    stopping_ = true;
  }
  stop_.notify_all();
  if (keeper_.joinable()) keeper_.join();
  Result revoked = node_.revoke_lease(lease_);
  const std::lock_guard lock(mutex_);
  held_ = false;
  return revoked.code == Errc::not_found ? Result{} : revoked;
}

namespace {

// Blocking Node::wait.
Result wait_for_change(Node& node, const std::string& key, std::uint64_t after_version,
                       std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<Result>>();
  auto future = promise->get_future();
  node.wait(key, after_version, timeout, [promise](Result result) { promise->set_value(result); });
  return future.get();
}

bool lease_holds(Node& node, const std::string& lease, const std::string& key) {
  const LeaseResult info = node.lease(lease);
  if (!info.result.ok()) return false;
  return std::find(info.lease.keys.begin(), info.lease.keys.end(), key) != info.lease.keys.end();
}

}  // namespace

HoldResult take_hold(Node& node, const std::string& key, const std::string& value,
                     std::chrono::milliseconds ttl, std::chrono::milliseconds wait_limit) {
  using Clock = std::chrono::steady_clock;
  using namespace std::chrono_literals;
  const LeaseResult granted = node.grant_lease(ttl);
  if (!granted.result.ok()) return HoldResult{granted.result, nullptr};
  const std::string lease = granted.lease.id;
  const Clock::time_point deadline =
      wait_limit == kWaitForever ? Clock::time_point::max() : Clock::now() + wait_limit;
  Clock::time_point next_keepalive = Clock::now() + ttl / 3;
  bool maybe_written = false;  // a put whose outcome is unknown went out
  auto give_up = [&](Result why) {
    node.revoke_lease(lease);
    return HoldResult{std::move(why), nullptr};
  };
  while (true) {
    if (Clock::now() >= next_keepalive) {
      const LeaseResult renewed = node.keep_alive(lease);
      if (renewed.result.code == Errc::not_found) return HoldResult{renewed.result, nullptr};
      next_keepalive = Clock::now() + ttl / 3;
    }
    const Result put = node.put_with_lease(key, value, std::uint64_t{0}, lease);
    if (put.ok()) {
      return HoldResult{put, std::make_unique<LeaseHold>(node, key, put.version, lease, ttl)};
    }
    if (put.code == Errc::no_quorum) {
      maybe_written = true;
      if (Clock::now() >= deadline) return give_up(put);
      std::this_thread::sleep_for(100ms);
      continue;
    }
    if (put.code != Errc::conflict)
      return put.code == Errc::not_found ? HoldResult{put, nullptr} : give_up(put);
    // An earlier put may have been written after all: the lease lists the keys it holds.
    if (maybe_written && lease_holds(node, lease, key)) {
      return HoldResult{Result{Errc::ok, put.version, value, {}},
                        std::make_unique<LeaseHold>(node, key, put.version, lease, ttl)};
    }
    const Clock::time_point now = Clock::now();
    if (now >= deadline) return give_up(put);
    const auto until = std::min(deadline, next_keepalive);
    const auto wait = std::max<std::chrono::milliseconds>(
        10ms, std::chrono::duration_cast<std::chrono::milliseconds>(until - now));
    wait_for_change(node, key, put.version, wait);
  }
}

}  // namespace paxoskv

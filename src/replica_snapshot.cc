// The barrier before a snapshot (GET /v1/snapshot): the snapshot must hold every write
// acknowledged before the request began.
//
// Why this barrier is enough. Keys have no common log, so no single round can order a
// snapshot after all writes. But a write is acknowledged only by a replica that applied
// it, durably, before answering (see Replica::release), and every replica's change log
// holds, for each key, its latest applied change at an index no lower than any earlier
// change of that key. So once this replica has pulled, by anti-entropy, every other
// member's change log up to the member's change index as of a moment after the request
// began (a request sent after that moment, answered with no more to come), it has learned
// for every key a chosen state at least as new as every write any member acknowledged
// before; its own acknowledged writes are in its store already. The core adopts a pulled
// state only if it is newer, and the snapshot is read once those adoptions are durable.
// The cost is one incremental pull per member (only what changed since the last pull).
// The price: every member must answer, so with a member down the snapshot is refused
// (503) after the request timeout instead of being taken from a majority.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>

#include "src/replica.h"

namespace paxoskv {

void Replica::snapshot_barrier(Callback done) {
  if (stopped_) return done(Result::failure(Errc::shutting_down));
  // A snapshot barrier whose pulls are under way.
  struct PendingPull {
    explicit PendingPull(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    Callback done;
    std::uint64_t id = 0;
    std::uint64_t progress = 0;  // states received by anti-entropy when last looked
    bool answered = false;
    std::function<void()> arm_timer;  // holds no reference to this struct
  };
  auto shared = std::make_shared<PendingPull>(io_);
  shared->done = std::move(done);
  shared->id = anti_entropy_.barrier([this, shared] {
    if (shared->answered) return;
    shared->answered = true;
    shared->timer.cancel();
    // The states the pulls gave the core go to the store now; the barrier is passed once
    // they (and every write before) are durable.
    boost::asio::post(io_, [this, shared] {
      if (stopped_) return shared->done(Result::failure(Errc::shutting_down));
      flush();
      snapshot_barriers_.push_back(PendingBarrier{last_write_, std::move(shared->done)});
      answer_snapshot_barriers();
    });
  });
  if (shared->answered) return;  // no other member: passed at once
  shared->progress = anti_entropy_.counters().entries_received;
  shared->arm_timer = [this, weak = std::weak_ptr<PendingPull>(shared)] {
    const auto pending = weak.lock();
    if (!pending) return;
    pending->timer.expires_after(options_.request_timeout);
    pending->timer.async_wait([this, pending](boost::system::error_code error) {
      if (error || pending->answered) return;
      // Pages still arriving (a first pull after a restore goes through every key): the
      // members answer, so wait on.
      const std::uint64_t progress = anti_entropy_.counters().entries_received;
      if (progress != pending->progress && !stopped_) {
        pending->progress = progress;
        return pending->arm_timer();
      }
      pending->answered = true;
      anti_entropy_.cancel_barrier(pending->id);
      spdlog::warn("replica {}: snapshot barrier: not every member answered within {} ms",
                   options_.id, options_.request_timeout.count());
      pending->done(Result::failure(Errc::no_quorum, 0, "not every member answered"));
    });
  };
  shared->arm_timer();
}

void Replica::answer_snapshot_barriers() {
  while (!snapshot_barriers_.empty() &&
         (stopped_ || snapshot_barriers_.front().seq <= durable_write_)) {
    PendingBarrier pending = std::move(snapshot_barriers_.front());
    snapshot_barriers_.pop_front();
    pending.done(stopped_ ? Result::failure(Errc::shutting_down) : Result{});
  }
}

}  // namespace paxoskv

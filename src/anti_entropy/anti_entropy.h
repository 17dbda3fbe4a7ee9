// Anti-entropy between replicas: every replica regularly asks each reachable peer for the
// keys the peer changed since last asked (SyncRequest), and the peer answers from its
// change log (SyncReply) with the keys' latest chosen states. A replica that was down or
// cut off so converges without waiting for its keys to be used.
//
// Per peer it keeps a cursor: the peer's change index pulled so far and the epoch that
// index counts in. A replica's epoch is new at every start of its store, since a power
// loss may have taken back a tail of its change log, which later changes then number
// anew: a cursor of another epoch is pulled again from the start. Cursors are kept in the
// store, written with the states their pull gave the core, so a restart resumes there.
//
// The sync messages (sync_messages.h) travel between the nodes only; the consensus core
// never sees them. They leave through the replica's transport, reached through the
// `Peers` callbacks. Everything here runs on the replica's io_context thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "consensus/messages.h"
#include "consensus/types.h"
#include "kvstore/store.h"
#include "src/anti_entropy/sync_messages.h"

namespace paxoskv {

struct AntiEntropyCounters {
  std::uint64_t entries_received = 0;  // key states peers sent
  // Times a peer's change index was found in another epoch (it reopened its store), so
  // its changes were pulled again from the start.
  std::uint64_t epoch_changes = 0;
};

class AntiEntropy {
 public:
  // Hands a pulled state to the core, which adopts it if it is newer than its own.
  using Learn = std::function<void(consensus::NodeId from, consensus::CatchUpReply state)>;

  // How the pulls reach the peers (the replica's transport): best effort, never blocking.
  struct Peers {
    std::function<bool(consensus::NodeId peer)> reachable;
    std::function<void(consensus::NodeId to, const anti_entropy::SyncRequest& request)> ask;
    std::function<void(consensus::NodeId to, const anti_entropy::SyncReply& reply)> answer;
  };

  // `members` includes `self`. Sends through `peers` and answers from `store`.
  AntiEntropy(boost::asio::io_context& io, consensus::NodeId self,
              std::vector<consensus::NodeId> members, const kvstore::Store& store, Peers peers,
              Learn learn);
  AntiEntropy(const AntiEntropy&) = delete;
  AntiEntropy& operator=(const AntiEntropy&) = delete;

  // Resumes from the cursors kept in the store (those of current members).
  void load_cursors();
  // Starts the regular pulls.
  void start();
  void stop();
  // The membership changed: pulls from `members` (self included) from now on. A new
  // member's changes are pulled from its first (or from the cursor kept in the store).
  void set_members(std::vector<consensus::NodeId> members);

  // Answers a peer's pull from this replica's change log.
  void on_request(consensus::NodeId from, const anti_entropy::SyncRequest& request);
  // Learns the states a peer sent, moves its cursor and pulls on if there is more.
  void on_reply(consensus::NodeId from, anti_entropy::SyncReply& reply);

  // Cursors moved since last taken: to be written with the next write of the store,
  // after (or with) the states their replies gave the core.
  bool has_unsaved_cursors() const { return !unsaved_cursors_.empty(); }
  std::vector<kvstore::SyncCursor> take_unsaved_cursors();

  AntiEntropyCounters counters() const { return counters_; }
  // The peers whose changes were pulled to their end at least once since this start (the
  // last page of a pull answered, in the epoch the peer runs now): the start-up catch-up
  // from them is done.
  const std::set<consensus::NodeId>& pulled_to_end() const { return pulled_to_end_; }

  // A barrier for a snapshot: calls `done` once every change each other member had
  // applied when barrier() was called has been handed to Learn (pulled afresh now: the
  // first reply that completes a peer's pull must answer a request sent after this call).
  // Waits for every member; the caller bounds the wait (see Replica::snapshot_barrier).
  // Returns an id for cancel_barrier().
  std::uint64_t barrier(std::function<void()> done);
  void cancel_barrier(std::uint64_t id);

 private:
  void schedule_pull();
  void ask_for_changes(consensus::NodeId peer);
  // A peer's pull is complete up to its change index as of its reply `replies_[peer]`:
  // completes the barriers that waited for it.
  void complete_barriers(consensus::NodeId peer);
  bool awaited_by_barrier(consensus::NodeId peer) const;

  struct Barrier {
    std::uint64_t id = 0;
    // Per peer still awaited: the count its replies must reach. The n-th reply answers
    // the n-th request or a later one (replies are never duplicated; a lost one shifts
    // the count the safe way), so reaching (requests sent before) + 1 proves the reply
    // answers a request sent after the barrier began.
    std::map<consensus::NodeId, std::uint64_t> awaited;
    std::function<void()> done;
  };

  consensus::NodeId self_;
  std::vector<consensus::NodeId> members_;
  const kvstore::Store& store_;
  Peers peers_;
  Learn learn_;
  boost::asio::steady_timer pull_timer_;
  std::map<consensus::NodeId, kvstore::SyncCursor> cursors_;
  // When the request now awaiting each peer's reply was sent.
  std::map<consensus::NodeId, std::chrono::steady_clock::time_point> asked_at_;
  std::vector<kvstore::SyncCursor> unsaved_cursors_;
  // Requests sent to and replies received from each peer, for barriers.
  std::map<consensus::NodeId, std::uint64_t> requests_;
  std::map<consensus::NodeId, std::uint64_t> replies_;
  std::vector<Barrier> barriers_;
  std::uint64_t next_barrier_ = 1;
  // The epoch of this replica's own change index, sent with its replies.
  const std::uint64_t epoch_;
  AntiEntropyCounters counters_;
  std::set<consensus::NodeId> pulled_to_end_;
  bool stopped_ = false;
};

}  // namespace paxoskv

#include "src/anti_entropy/anti_entropy.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <utility>

namespace paxoskv {

namespace {

constexpr std::chrono::milliseconds kPullInterval{1000};
constexpr std::uint32_t kPageKeys = 256;
// A request unanswered this long (its reply lost with a connection) is sent again.
constexpr std::chrono::seconds kReplyTimeout{5};
// A reply stays well below the transport's frame limit.
constexpr std::size_t kPageBytes = 4 << 20;

// Distinct at every start (0 stands for "unknown" in a cursor).
std::uint64_t draw_epoch() {
  std::random_device device;
  std::uint64_t epoch = 0;
  while (epoch == 0) epoch = (std::uint64_t{device()} << 32) | device();
  return epoch;
}

}  // namespace

AntiEntropy::AntiEntropy(boost::asio::io_context& io, consensus::NodeId self,
                         std::vector<consensus::NodeId> members, const kvstore::Store& store,
                         Peers peers, Learn learn)
    : self_(self),
      members_(std::move(members)),
      store_(store),
      peers_(std::move(peers)),
      learn_(std::move(learn)),
      pull_timer_(io),
      epoch_(draw_epoch()) {}

void AntiEntropy::load_cursors() {
  for (const kvstore::SyncCursor& cursor : store_.sync_cursors()) {
    if (std::find(members_.begin(), members_.end(), cursor.peer) != members_.end()) {
      cursors_[cursor.peer] = cursor;
    }
  }
}

void AntiEntropy::set_members(std::vector<consensus::NodeId> members) {
  members_ = std::move(members);
  for (const kvstore::SyncCursor& cursor : store_.sync_cursors()) {
    if (std::find(members_.begin(), members_.end(), cursor.peer) != members_.end()) {
      cursors_.try_emplace(cursor.peer, cursor);
    }
  }
}

void AntiEntropy::start() {
  schedule_pull();
}

void AntiEntropy::stop() {
  stopped_ = true;
  pull_timer_.cancel();
}

void AntiEntropy::on_request(consensus::NodeId from, const anti_entropy::SyncRequest& request) {
  const std::size_t limit = std::min<std::size_t>(request.limit, kPageKeys);
  const kvstore::ChangesPage page = store_.changes_after(request.after_index, limit);
  anti_entropy::SyncReply reply;
  reply.next_index = page.next_index;
  reply.more = page.more;
  reply.epoch = epoch_;
  std::size_t bytes = 0;
  for (const kvstore::Change& change : page.changes) {
    if (bytes > kPageBytes) {
      reply.more = true;
      break;
    }
    bytes += change.key.size() + (change.state.value ? change.state.value->size() : 0);
    reply.entries.push_back(consensus::CatchUpReply{change.key, change.state.version,
                                                    change.state.value, change.state.writers,
                                                    change.state.lease});
    reply.next_index = change.state.change_index;
  }
  if (page.changes.empty()) reply.next_index = page.next_index;
  peers_.answer(from, reply);
}

void AntiEntropy::on_reply(consensus::NodeId from, anti_entropy::SyncReply& reply) {
  ++replies_[from];
  counters_.entries_received += reply.entries.size();
  for (consensus::CatchUpReply& entry : reply.entries) learn_(from, std::move(entry));
  asked_at_.erase(from);
  kvstore::SyncCursor& cursor = cursors_[from];
  cursor.peer = from;
  if (reply.epoch != cursor.epoch) {
    // The peer reopened its store since the cursor was taken: its change index may have
    // gone back and grown again, numbering other changes with indexes already pulled. So
    // pull again from the start (states already here are no-ops). The entries above are
    // chosen states all the same.
    if (cursor.index != 0) {
      spdlog::info(
          "replica {}: peer {} reopened its store: pulling its changes again from the "
          "start (had them up to its change index {})",
          self_, from, cursor.index);
      ++counters_.epoch_changes;
    }
    cursor.index = 0;
    cursor.epoch = reply.epoch;
    unsaved_cursors_.push_back(cursor);
    ask_for_changes(from);
    return;
  }
  cursor.index = std::max(cursor.index, reply.next_index);
  // Saved with the states the entries gave the core, in the same write or after them.
  unsaved_cursors_.push_back(cursor);
  if (reply.more) {
    ask_for_changes(from);
  } else {
    pulled_to_end_.insert(from);
    complete_barriers(from);
    // This reply answered a request sent before a barrier began: the barrier needs one more.
    if (awaited_by_barrier(from)) ask_for_changes(from);
  }
}

std::uint64_t AntiEntropy::barrier(std::function<void()> done) {
  Barrier barrier{next_barrier_++, {}, std::move(done)};
  for (consensus::NodeId peer : members_) {
    if (peer == self_) continue;
    // The next request to the peer, sent after this call, must be answered. A pull under
    // way sends it when its reply comes (see on_reply); a second pull would only double it.
    barrier.awaited[peer] = requests_[peer] + 1;
    if (!asked_at_.contains(peer)) ask_for_changes(peer);
  }
  const std::uint64_t id = barrier.id;
  if (barrier.awaited.empty()) {
    barrier.done();
  } else {
    barriers_.push_back(std::move(barrier));
  }
  return id;
}

void AntiEntropy::cancel_barrier(std::uint64_t id) {
  std::erase_if(barriers_, [id](const Barrier& barrier) { return barrier.id == id; });
}

bool AntiEntropy::awaited_by_barrier(consensus::NodeId peer) const {
  return std::any_of(barriers_.begin(), barriers_.end(),
                     [peer](const Barrier& barrier) { return barrier.awaited.contains(peer); });
}

void AntiEntropy::complete_barriers(consensus::NodeId peer) {
  std::vector<std::function<void()>> completed;
  for (Barrier& barrier : barriers_) {
    const auto it = barrier.awaited.find(peer);
    if (it != barrier.awaited.end() && replies_[peer] >= it->second) barrier.awaited.erase(it);
    if (barrier.awaited.empty()) completed.push_back(std::move(barrier.done));
  }
  std::erase_if(barriers_, [](const Barrier& barrier) { return barrier.awaited.empty(); });
  for (auto& done : completed) done();
}

std::vector<kvstore::SyncCursor> AntiEntropy::take_unsaved_cursors() {
  return std::exchange(unsaved_cursors_, {});
}

void AntiEntropy::ask_for_changes(consensus::NodeId peer) {
  asked_at_[peer] = std::chrono::steady_clock::now();
  ++requests_[peer];
  peers_.ask(peer, anti_entropy::SyncRequest{cursors_[peer].index, kPageKeys});
}

void AntiEntropy::schedule_pull() {
  pull_timer_.expires_after(kPullInterval);
  pull_timer_.async_wait([this](boost::system::error_code error) {
    if (error || stopped_) return;
    const auto now = std::chrono::steady_clock::now();
    for (consensus::NodeId peer : members_) {
      if (peer == self_ || !peers_.reachable(peer)) continue;
      const auto asked = asked_at_.find(peer);
      // A barrier waits for this peer: a request lost with a connection is not waited out.
      const auto patience = awaited_by_barrier(peer) ? kPullInterval : kReplyTimeout;
      if (asked != asked_at_.end() && now - asked->second < patience) continue;
      ask_for_changes(peer);
    }
    schedule_pull();
  });
}

}  // namespace paxoskv

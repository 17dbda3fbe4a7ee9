#include "src/membership/change_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "src/membership/key_pages.h"

namespace paxoskv::membership {

using consensus::ChangeFailure;
using consensus::ChangeStep;

ChangeRunner::ChangeRunner(Hooks hooks, Limits limits)
    : hooks_(std::move(hooks)), limits_(limits) {}

void ChangeRunner::request(consensus::ChangeRequest request, Done done) {
  if (stopped_) {
    done(ChangeFailure::kNoQuorum, hooks_.configuration());
    return;
  }
  queue_.push_back(Queued{std::move(request), std::move(done)});
  start_next();
}

void ChangeRunner::start_next() {
  if (stopped_ || change_ || queue_.empty()) return;
  Queued next = std::move(queue_.front());
  queue_.pop_front();
  ++change_number_;
  done_ = std::move(next.done);
  change_.emplace(next.request, limits_.carry_window);
  change_->begin(hooks_.configuration());
  pump();
}

// Hands the change what came in and does what it asks, until it asks nothing more.
void ChangeRunner::pump() {
  if (pumping_) return;  // a hook answered at once: the loop below picks it up
  pumping_ = true;
  bool progress = true;
  while (change_ && progress) {
    progress = false;
    for (auto& [key, outcome] : std::exchange(outcomes_, {})) {
      change_->on_submitted(key, outcome, hooks_.configuration());
      progress = true;
    }
    if (change_->finished()) {
      finish(change_->failure());
      progress = true;
      continue;
    }
    for (ChangeStep& step : change_->take_steps()) {
      progress = true;
      if (step.kind == ChangeStep::Kind::kListKeys) {
        list_keys(step);
        continue;
      }
      hooks_.submit(step.key, std::move(step.op),
                    [this, number = change_number_, key = step.key](consensus::Outcome outcome) {
                      if (number != change_number_) return;  // that change ended
                      outcomes_.emplace_back(key, outcome);
                      pump();
                    });
    }
  }
  pumping_ = false;
}

void ChangeRunner::list_keys(const ChangeStep& step) {
  Listing listing;
  listing.request = KeyListRequest{next_request_id_++, hooks_.configuration().version, step.after,
                                   limits_.keys_per_page};
  listing.from = step.from;
  listing.started_at = now_;
  listing_ = std::move(listing);
  ask_missing(now_);
}

void ChangeRunner::ask_missing(Clock::time_point now) {
  listing_->asked_at = now;
  // Copied: a hook that answers at once (this replica's own list) may end the listing.
  const KeyListRequest request = listing_->request;
  const std::vector<consensus::NodeId> from = listing_->from;
  for (consensus::NodeId peer : from) {
    if (!listing_ || listing_->request.request_id != request.request_id) return;
    if (!listing_->replies.contains(peer)) hooks_.ask(peer, request);
  }
}

void ChangeRunner::on_reply(consensus::NodeId from, const KeyListReply& reply) {
  if (!listing_ || reply.request_id != listing_->request.request_id) return;
  if (std::find(listing_->from.begin(), listing_->from.end(), from) == listing_->from.end()) return;
  // A page that has more must hold a key (this build never answers otherwise): one that
  // does not says nothing of how far it got, and counts as no answer.
  if (reply.more && reply.keys.empty()) return;
  listing_->replies[from] = reply;
  // A key a majority of the leaving members could have chosen is held by one of any
  // majority of them.
  if (listing_->replies.size() < listing_->from.size() / 2 + 1) return;
  std::vector<KeyListReply> pages;
  for (auto& [peer, page] : listing_->replies) pages.push_back(std::move(page));
  listing_.reset();
  KeyListReply merged = merge_key_pages(pages, limits_.keys_per_page);
  change_->on_keys(std::move(merged.keys), merged.more);
  pump();
}

void ChangeRunner::tick(Clock::time_point now) {
  now_ = now;
  if (!listing_) return;
  if (hooks_.configuration().version != listing_->request.config) {
    // The configuration moved on while the key list was asked under the one before (this
    // replica was behind): the change ends the carry, and its next write of the
    // configuration, a compare-and-set, finds the newer one in force.
    listing_.reset();
    change_->on_keys({}, false);
    pump();
    return;
  }
  if (now - listing_->started_at >= limits_.give_up_after) {
    spdlog::warn(
        "membership change: no majority of the leaving members listed its keys within {} ms",
        limits_.give_up_after.count());
    finish(ChangeFailure::kNoQuorum);
    return;
  }
  if (now - listing_->asked_at >= limits_.ask_again_after) ask_missing(now);
}

void ChangeRunner::finish(ChangeFailure failure) {
  const consensus::Configuration result =
      failure == ChangeFailure::kNone ? change_->result() : hooks_.configuration();
  keys_carried_total_ += change_->keys_carried();
  change_.reset();
  listing_.reset();
  outcomes_.clear();
  ++change_number_;
  std::exchange(done_, nullptr)(failure, result);
  start_next();
}

void ChangeRunner::stop() {
  stopped_ = true;
  if (change_) finish(ChangeFailure::kNoQuorum);
  while (!queue_.empty()) {
    Queued queued = std::move(queue_.front());
    queue_.pop_front();
    queued.done(ChangeFailure::kNoQuorum, hooks_.configuration());
  }
}

}  // namespace paxoskv::membership

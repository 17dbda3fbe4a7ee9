// Runs the membership changes a replica is asked for, one at a time: drives a
// consensus::ConfigChange (C -> joint -> C'), submitting its operations to the replica's
// core and fetching the keys to carry over from the leaving members with KeyListRequest.
// Lives on the replica's thread; everything outside (the core, the peers, the clock)
// comes in through Hooks, so it never sees a socket or a file.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consensus/config_change.h"
#include "consensus/configuration.h"
#include "consensus/operation.h"
#include "consensus/types.h"
#include "src/membership/key_list_messages.h"

namespace paxoskv::membership {

class ChangeRunner {
 public:
  using Clock = std::chrono::steady_clock;
  using SubmitDone = std::function<void(consensus::Outcome)>;
  struct Hooks {
    // Submits `op` on `key` to the replica's core; `done` runs once it is decided (or not).
    std::function<void(const std::string& key, consensus::Operation op, SubmitDone done)> submit;
    // Sends a key list request to a replica (possibly this one).
    std::function<void(consensus::NodeId to, const KeyListRequest& request)> ask;
    // The configuration in force at this replica now.
    std::function<const consensus::Configuration&()> configuration;
  };
  // How a change ended: kNone and the configuration it put in force, or why not.
  using Done = std::function<void(consensus::ChangeFailure failure,
                                  const consensus::Configuration& configuration)>;

  struct Limits {
    std::uint32_t keys_per_page = 1000;
    std::size_t carry_window = 64;  // keys carried over at once
    // A key list asked of the leaving members is asked again after this long...
    std::chrono::milliseconds ask_again_after{500};
    // ...and the change gives up (kNoQuorum; it may be half done) after this long without
    // a majority's answer.
    std::chrono::milliseconds give_up_after{10000};
  };

  ChangeRunner(Hooks hooks, Limits limits);

  // Runs `request` after those asked for before it.
  void request(consensus::ChangeRequest request, Done done);
  void on_reply(consensus::NodeId from, const KeyListReply& reply);
  // Asks again, or gives up on, key lists not answered in time.
  void tick(Clock::time_point now);
  // Ends every change, running or waiting, with kNoQuorum (the replica stops).
  void stop();

  bool running() const { return change_.has_value(); }
  // Keys carried over by the change running now (0 if none).
  std::uint64_t keys_carried() const { return change_ ? change_->keys_carried() : 0; }
  // Keys carried over by every change this runner finished.
  std::uint64_t keys_carried_total() const { return keys_carried_total_; }

 private:
  struct Queued {
    consensus::ChangeRequest request;
    Done done;
  };
  // A key list asked of a majority of the leaving members.
  struct Listing {
    std::uint64_t request_id = 0;
    KeyListRequest request;
    std::vector<consensus::NodeId> from;
    std::map<consensus::NodeId, KeyListReply> replies;
    Clock::time_point asked_at;
    Clock::time_point started_at;
  };

  void start_next();
  void pump();
  void list_keys(const consensus::ChangeStep& step);
  void ask_missing(Clock::time_point now);
  void finish(consensus::ChangeFailure failure);

  Hooks hooks_;
  Limits limits_;
  std::deque<Queued> queue_;
  std::optional<consensus::ConfigChange> change_;
  Done done_;
  std::optional<Listing> listing_;
  // Outcomes the core gave, not yet handed to the change (handed over from pump(), never
  // from inside a submit: the change's steps are not reentrant).
  std::vector<std::pair<std::string, consensus::Outcome>> outcomes_;
  // Identifies the change an outcome belongs to: one that ended must not see it.
  std::uint64_t change_number_ = 0;
  std::uint64_t next_request_id_ = 1;
  std::uint64_t keys_carried_total_ = 0;
  bool pumping_ = false;
  bool stopped_ = false;
  Clock::time_point now_ = Clock::now();
};

}  // namespace paxoskv::membership

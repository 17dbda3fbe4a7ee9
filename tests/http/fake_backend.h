// An in-memory replica for the HTTP front end's tests: versions and compare-and-set as
// the HTTP API says (README), long polls answered on a change or at their timeout.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/backend.h"
#include "paxoskv/membership.h"
#include "src/auth/token_table.h"

namespace paxoskv::http::testing {

class FakeBackend : public Backend {
 public:
  // Linearizable reads and every write of this key fail with no_quorum.
  static constexpr std::string_view no_quorum_key = "no-quorum";
  // Every operation on this key fails with removed, as on a replica removed meanwhile.
  static constexpr std::string_view removed_key = "removed-meanwhile";
  // Membership changes naming this peer address fail with no_quorum.
  static constexpr std::string_view no_quorum_address = "minority:1";

  // With `timers`, long polls time out by themselves on that context; without, only
  // expire_waits() ends them. The backend must outlive the context's handlers.
  explicit FakeBackend(boost::asio::io_context* timers = nullptr) : timers_(timers) {}

  void put(const std::string& key, std::string value, std::optional<std::uint64_t> expected,
           ResultCallback done) override;
  void remove(const std::string& key, std::optional<std::uint64_t> expected,
              ResultCallback done) override;
  void get(const std::string& key, Consistency consistency, ResultCallback done) override;
  void wait_key(const std::string& key, std::uint64_t after_version,
                std::chrono::milliseconds timeout, ResultCallback done) override;
  void wait_prefix(const std::string& prefix, std::uint64_t after_index,
                   std::chrono::milliseconds timeout, ChangesCallback done) override;
  ListResult list(const std::string& prefix, const std::string& after, std::size_t limit) override;
  std::uint64_t index() const override;
  // Membership as the API says: ids never reused, the last member stays; a change is in
  // force at once (or after set_member_change_delay, on the timers' context).
  void add_member(std::uint32_t id, const std::string& peer_address,
                  MembershipCallback done) override;
  void remove_member(std::uint32_t id, MembershipCallback done) override;
  Membership membership() const override;
  bool removed() const override;
  // Tokens in a TokenTable as a replica keeps them; made and revoked at once.
  void create_token(const std::string& name, Role role, const std::string& prefix,
                    TokenCallback done) override;
  void revoke_token(const std::string& name, ResultCallback done) override;
  std::vector<TokenInfo> tokens() const override;
  // An unconfirmed token is checked as set_token_check says: ok with a value confirms it
  // (or drops it if the value is another token's), ok without one drops it, a failure is
  // the answer.
  void authenticate(std::string_view token, std::function<void(Authentication)> done) override;
  std::optional<TokenInfo> known_token(std::string_view token) const override;
  // A token whose secret the test chooses.
  void add_token(const std::string& name, Role role, const std::string& prefix,
                 const std::string& secret);
  // The same, as a replica has it from its store before a linearizable read confirmed it;
  // the check then confirms it, until set_token_check says otherwise.
  void add_unconfirmed_token(const std::string& name, Role role, const std::string& prefix,
                             const std::string& secret);
  void set_token_check(Result check);
  // How many unconfirmed tokens were checked.
  std::size_t token_checks() const;
  // Leases kept in a map: granted live, ended by a revoke (which deletes their keys); no
  // clock, so none expires.
  void put_with_lease(const std::string& key, std::string value,
                      std::optional<std::uint64_t> expected, const std::string& lease,
                      ResultCallback done) override;
  void grant_lease(std::chrono::milliseconds ttl, LeaseCallback done) override;
  void keep_alive(const std::string& id, LeaseCallback done) override;
  void revoke_lease(const std::string& id, ResultCallback done) override;
  void lease(const std::string& id, LeaseCallback done) override;
  Readiness readiness() const override;
  std::string status_json() const override;
  std::string metrics_text() const override;

  // Answers every pending long poll as its timeout would.
  void expire_waits();
  std::size_t pending_waits() const;
  // What the last calls received, for tests of the parameters' parsing.
  std::chrono::milliseconds last_wait_timeout() const;
  std::optional<Consistency> last_consistency() const;
  std::size_t last_list_limit() const;
  void set_shutting_down(bool shutting_down);
  // This replica was removed: every operation fails with removed.
  void set_removed(bool removed);
  // What readiness() answers (ready until set).
  void set_readiness(Readiness readiness);
  // Membership changes answer this long after they are asked (needs the timers' context).
  void set_member_change_delay(std::chrono::milliseconds delay);

 private:
  struct Record {
    std::optional<std::string> value;  // nullopt: deleted
    std::uint64_t version = 0;
    std::uint64_t index = 0;  // change index of the last change
  };
  struct KeyWait {
    std::string key;
    std::uint64_t after_version = 0;
    ResultCallback done;
  };
  struct PrefixWait {
    std::string prefix;
    std::uint64_t after_index = 0;
    ChangesCallback done;
  };
  using Notification = std::function<void()>;

  // The helpers below run with mutex_ held.
  Result refusal(const std::string& key) const;  // ok when the operation may go on
  Result state_of(const std::string& key) const;
  std::vector<Change> changes_after(const std::string& prefix, std::uint64_t after_index) const;
  // Applies a change and returns the long polls it answers, to be called unlocked.
  std::vector<Notification> apply(const std::string& key, std::optional<std::string> value);
  MembershipResult change_refusal(const std::string& peer_address) const;
  // Answers `done` now, or after the member change delay.
  void answer_change(MembershipResult answer, MembershipCallback done);
  void expire_after(std::uint64_t wait_id, std::chrono::milliseconds timeout);
  std::optional<Notification> take_expired(std::uint64_t wait_id);

  boost::asio::io_context* timers_;
  mutable std::mutex mutex_;
  struct FakeLease {
    std::chrono::milliseconds ttl{0};
    bool live = true;
    std::vector<std::string> keys;
  };
  std::map<std::string, FakeLease> leases_;  // guarded by mutex_
  std::uint64_t leases_granted_ = 0;
  std::map<std::string, Record> records_;
  Readiness readiness_{.reaches_majority = true, .caught_up = true};  // guarded by mutex_
  std::uint64_t index_ = 0;
  std::uint64_t next_wait_id_ = 0;
  std::map<std::uint64_t, KeyWait> key_waits_;
  std::map<std::uint64_t, PrefixWait> prefix_waits_;
  std::chrono::milliseconds last_wait_timeout_{0};
  std::optional<Consistency> last_consistency_;
  std::size_t last_list_limit_ = 0;
  bool shutting_down_ = false;
  bool removed_ = false;
  Membership membership_{
      {{1, "127.0.0.1:9001"}, {2, "127.0.0.1:9002"}, {3, "127.0.0.1:9003"}}, 0, {}, {}};
  std::chrono::milliseconds member_change_delay_{0};
  auth::TokenTable tokens_;  // thread-safe by itself
  Result token_check_;
  std::size_t token_checks_ = 0;
};

}  // namespace paxoskv::http::testing

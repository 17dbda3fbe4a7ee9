// The Replica's lease calls and its expiry duty (see consensus/lease.h for the protocol
// and its safety argument).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "src/replica.h"

namespace paxoskv {

namespace {

Result lease_not_found() {
  return Result::failure(Errc::not_found, 0, "lease not found");
}

}  // namespace

LeaseInfo Replica::lease_info_of(consensus::LeaseId id,
                                 const consensus::LeaseRecord& record) const {
  LeaseInfo info;
  info.id = consensus::format_lease_id(id);
  info.ttl = std::chrono::milliseconds(record.ttl_ms);
  const consensus::TimeMs seen = core_.lease_last_seen(id);
  const consensus::TimeMs at = now();
  const consensus::TimeMs passed = at > seen ? at - seen : 0;
  info.remaining = std::chrono::milliseconds(passed < record.ttl_ms ? record.ttl_ms - passed : 0);
  return info;
}

void Replica::grant_lease(consensus::LeaseId id, consensus::TimeMs ttl_ms, LeaseCallback done) {
  const consensus::LeaseRecord record{ttl_ms, consensus::LeaseState::kLive};
  // Only where absent: an id is never granted twice (a collision of 64 random bits fails
  // the grant with conflict rather than share a lease).
  submit(consensus::lease_key(id),
         consensus::PutOp{consensus::encode_lease(record), consensus::Version{0}},
         [this, id, record, done = std::move(done)](Result result) {
           if (!result.ok()) return done(LeaseResult{std::move(result), {}});
           spdlog::debug("replica {}: lease {} granted, ttl {} ms", options_.id,
                         consensus::format_lease_id(id), record.ttl_ms);
           LeaseInfo info = lease_info_of(id, record);
           info.remaining = info.ttl;
           done(LeaseResult{std::move(result), std::move(info)});
         });
}

void Replica::with_live_lease(consensus::LeaseId id,
                              std::function<void(Result, consensus::LeaseRecord)> then) {
  if (const lease::LeaseEntry* entry = leases_.find(id); entry && entry->record) {
    if (entry->record->terminal()) return then(lease_not_found(), {});
    return then(Result{}, *entry->record);
  }
  submit(consensus::lease_key(id), consensus::ReadOp{}, [then = std::move(then)](Result result) {
    if (result.code == Errc::not_found) return then(lease_not_found(), {});
    if (!result.ok()) return then(std::move(result), {});
    const auto record = consensus::lease_in(result.value);
    if (!record || record->terminal()) return then(lease_not_found(), {});
    then(Result{Errc::ok, result.version, std::nullopt, {}}, *record);
  });
}

void Replica::keep_alive_lease(consensus::LeaseId id, LeaseCallback done) {
  with_live_lease(
      id, [this, id, done = std::move(done)](Result result, consensus::LeaseRecord record) mutable {
        if (!result.ok()) return done(LeaseResult{std::move(result), {}});
        if (stopped_) return done(LeaseResult{Result::failure(Errc::shutting_down), {}});
        const consensus::RequestId request = next_request_++;
        auto answer = [this, id, record, done = std::move(done)](consensus::Outcome outcome) {
          switch (outcome) {
            case consensus::Outcome::kOk: {
              LeaseInfo info = lease_info_of(id, record);
              info.remaining = info.ttl;
              return done(LeaseResult{Result{}, std::move(info)});
            }
            case consensus::Outcome::kNotFound:
              return done(LeaseResult{lease_not_found(), {}});
            default:
              return done(LeaseResult{Result::failure(Errc::no_quorum), {}});
          }
        };
        pending_.emplace(request, PendingRequest{nullptr, false, std::move(answer)});
        core_.keep_alive(request, id,
                         now() + static_cast<consensus::TimeMs>(options_.request_timeout.count()));
        request_flush();
      });
}

void Replica::revoke_lease(consensus::LeaseId id, Callback done) {
  // Read first: the terminal state keeps the TTL, and the write is conditional on the
  // live version, so an expiry or revoke in between makes it fail as not found.
  submit(consensus::lease_key(id), consensus::ReadOp{},
         [this, id, done = std::move(done)](Result read) mutable {
           if (read.code == Errc::not_found) return done(lease_not_found());
           if (!read.ok()) return done(std::move(read));
           const auto record = consensus::lease_in(read.value);
           if (!record || record->terminal()) return done(lease_not_found());
           const consensus::LeaseRecord revoked{record->ttl_ms, consensus::LeaseState::kRevoked};
           submit(
               consensus::lease_key(id),
               consensus::PutOp{consensus::encode_lease(revoked), read.version},
               [this, id, done = std::move(done)](Result written) mutable {
                 if (written.code == Errc::conflict) return done(lease_not_found());
                 if (!written.ok()) return done(std::move(written));
                 spdlog::info("replica {}: lease {} revoked", options_.id,
                              consensus::format_lease_id(id));
                 delete_lease_keys(id, [written, done = std::move(done)] { done(written); });
               },
               // A revoke frees space: it goes through over the quota.
               QuotaCheck::kExempt);
         });
}

void Replica::delete_lease_keys(consensus::LeaseId id, std::function<void()> then) {
  const lease::LeaseEntry* entry = leases_.find(id);
  if (entry == nullptr || entry->keys.empty()) return then();
  const auto keys = entry->keys;  // the table changes as the deletes apply
  auto left = std::make_shared<std::size_t>(keys.size());
  auto finish = std::make_shared<std::function<void()>>(std::move(then));
  for (const auto& [key, version] : keys) {
    // Conditional on the version that attached it: a key written since stays.
    submit_internal(key, consensus::DeleteOp{version}, [left, finish](consensus::Outcome) {
      if (--*left == 0) (*finish)();
    });
  }
}

void Replica::lease_info(consensus::LeaseId id, LeaseCallback done) {
  submit(consensus::lease_key(id), consensus::ReadOp{},
         [this, id, done = std::move(done)](Result read) {
           if (read.code == Errc::not_found) return done(LeaseResult{lease_not_found(), {}});
           if (!read.ok()) return done(LeaseResult{std::move(read), {}});
           const auto record = consensus::lease_in(read.value);
           if (!record || record->terminal()) return done(LeaseResult{lease_not_found(), {}});
           LeaseInfo info = lease_info_of(id, *record);
           if (const lease::LeaseEntry* entry = leases_.find(id)) {
             for (const auto& [key, version] : entry->keys) info.keys.push_back(key);
           }
           done(LeaseResult{Result{Errc::ok, read.version, std::nullopt, {}}, std::move(info)});
         });
}

void Replica::put_with_lease(const std::string& key, consensus::PutOp op, Callback done) {
  const consensus::LeaseId id = op.lease;
  // A put chosen after the lease ended (it raced the expiry) is attached to an ended
  // lease: the expiry duty deletes it like the others.
  with_live_lease(id, [this, key, op = std::move(op), done = std::move(done)](
                          Result result, consensus::LeaseRecord) mutable {
    if (!result.ok()) return done(std::move(result));
    submit(key, std::move(op), std::move(done));
  });
}

bool Replica::holds_expiry_duty() const {
  std::vector<consensus::NodeId> voters = core_.configuration().voters();
  std::sort(voters.begin(), voters.end());
  for (const consensus::NodeId voter : voters) {
    if (voter == options_.id) return true;
    if (transport_.reachable(voter)) return false;
  }
  return false;
}

void Replica::sweep_leases() {
  if (!serving_ || stopped_ || removed_) return;
  // Keys attached to a lease the table has no record of (forgotten once it ended and
  // had no keys, or not applied here yet): the store may know it.
  std::vector<consensus::LeaseId> unknown;
  for (const auto& [id, entry] : leases_.entries()) {
    if (!entry.record) unknown.push_back(id);
  }
  for (const consensus::LeaseId id : unknown) {
    const std::string key = consensus::lease_key(id);
    const std::optional<kvstore::AppliedState> state = store_.applied(key);
    if (state && state->present()) leases_.apply(key, state->value, state->version, 0);
  }
  if (holds_expiry_duty()) take_expiry_duty();
  leases_.drop_finished();
}

void Replica::take_expiry_duty() {
  const consensus::TimeMs at = now();
  for (const auto& [id, entry] : leases_.entries()) {
    if (!entry.record) continue;
    if (!entry.record->terminal()) {
      if (expiring_.contains(id) ||
          at < core_.lease_last_seen(id) + consensus::expiry_wait(entry.record->ttl_ms)) {
        continue;
      }
      expiring_.insert(id);
      spdlog::info("replica {}: lease {} ran out, expiring it", options_.id,
                   consensus::format_lease_id(id));
      const consensus::LeaseRecord expired{entry.record->ttl_ms, consensus::LeaseState::kExpired};
      submit_internal(consensus::lease_key(id),
                      consensus::PutOp{consensus::encode_lease(expired), entry.version},
                      [this, id](consensus::Outcome) { expiring_.erase(id); });
      continue;
    }
    for (const auto& [key, version] : entry.keys) {
      if (!sweeping_.insert(key).second) continue;
      submit_internal(key, consensus::DeleteOp{version},
                      [this, key](consensus::Outcome) { sweeping_.erase(key); });
    }
  }
}

}  // namespace paxoskv

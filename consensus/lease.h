// Leases: replicated records with a time to live, kept alive cheaply, and expired by an
// ordinary chosen change that no replica can make early.
//
// A lease is the reserved key "\0lease/<id>" (id: 16 hex digits of a random 64-bit
// number, never 0). Its value is a LeaseRecord: the TTL and a state, live, revoked or
// expired. Grant writes it live where it is absent (version 1); revoke and expiry write a
// terminal state over the live one (version 2), and a terminal lease is kept, so an id
// is never reused. A client key put with a lease carries the lease's id in its applied
// state (AppliedRecord::lease): every replica can list a lease's keys, and deletes them
// once the lease is terminal, each delete conditional on the key's version, so a key
// written again since (without the lease) is left alone.
//
// Keepalives are no write: a replica sends KeepAlive for the lease key to every voter;
// each one notes the time on its own clock (last_seen) and acknowledges, unless it has
// accepted or applied a terminal state of the lease; a majority of acknowledgements
// renews the lease. Nothing is persisted.
//
// Safety (a lease never expires earlier than its TTL after the send time of the last
// keepalive answered ok). The clock assumption: every replica's clock (its steady,
// monotonic clock) runs at a rate within kDriftPpm of real time; no two clocks need to
// agree on anything else. An acceptor accepts an "expired" value for a lease only if, on
// its own clock, at least expiry_wait(ttl) = ttl * (1 + kDriftPpm) + kExpiryMarginMs has
// passed since the latest of: its last keepalive acknowledged for that lease, its
// acceptance of the lease's grant, and the start of its life (a restart forgets
// last_seen, which is then safe). The expiry is chosen only once a majority accepted it;
// a keepalive answered ok was acknowledged by a majority; the two majorities share an
// acceptor A. If A acknowledged the keepalive first, it accepted the expiry at least
// expiry_wait(ttl) later on its clock, which is more than ttl of real time, after the
// keepalive was sent. If A accepted the expiry first, it refused the keepalive: an
// acceptor that accepted or applied a terminal state never acknowledges one again (its
// acceptance is durable). Revoke is a client's explicit request: no clock is asked.
// A refused expiry gets no answer: an expiry of the proposer's own is given up after its
// phase timeout (the duty asks again at its next sweep), and one found in phase 1 is
// proposed again, so a premature expiry is delayed, never forced. One accepted early by
// a minority blocks nothing: a phase 1 that finds it and shows that too few acceptors can
// hold it for it to have been chosen proposes its own value (Proposer::
// highest_cannot_be_chosen).
//
// A time noted must not predate the event it stands for: the core's clock is the time
// of its last tick, and a message is handled between ticks (a stalled loop can make that
// tick late by any amount). A keepalive or grant noted between ticks counts from the next
// tick, and until then that lease's expiry is not accepted here. Keepalive rounds are
// numbered from the incarnation, so an acknowledgement sent to an earlier life counts
// for no round of this one.
//
// Membership (C -> joint(C, C') -> C', see config_change.h). A keepalive carries its
// sender's configuration and is acknowledged only by acceptors in that same one, and its
// answers count by that configuration's rule. An acceptor also waits expiry_wait since it
// adopted the configuration it is in (counted from the tick after). Why: let a keepalive
// sent at s be acknowledged by a majority Q of C_k, all in configuration k, and the expiry
// be accepted by a majority Q' of C_m, all in configuration m. m = k: they share an
// acceptor, as above. m = k + 1 (joint): Q' holds a majority of C_k too, as above. m > k
// + 1: C_{k+2} was chosen under the joint quorums, accepted by a majority of C_k in
// configuration k + 1, which shares an acceptor with Q; configurations never go back, so
// C_{k+2} was chosen after that acceptor acknowledged the keepalive, after s. Every
// acceptor of Q' adopted C_m later still, and accepted the expiry at least the wait after
// that. m < k: the same argument the other way round puts the expiry's choice before the
// keepalive, and the carry-over left the lease's terminal state on a majority of each
// newer configuration, which then refuses it. The cost: an expiry comes
// up to the wait after a membership change, rather than after the last keepalive.
//
// Liveness (expired no later than TTL + 2 s after the last keepalive while a majority is
// up): each replica's sweeper looks every kSweepIntervalMs; the lowest-id voter it can
// reach proposes the expiry once expiry_wait(ttl) passed on its own clock, then deletes
// the keys. With kMaxTtlMs = 1 h the wait exceeds the TTL by at most
// 2 * 200 ppm * 1 h + margin = 1.49 s of real time, with sweeping and a round trip ~1.8 s.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/build_variant.h"
#include "consensus/types.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

using LeaseId = std::uint64_t;  // 0: no lease

inline constexpr std::string_view kLeaseKeyPrefix{"\0lease/", 7};
inline constexpr TimeMs kMinTtlMs = 1000;
inline constexpr TimeMs kMaxTtlMs = 3600 * 1000;
// The stated bound on every replica clock's rate error, in parts per million.
inline constexpr std::uint64_t kDriftPpm = 200;
inline constexpr TimeMs kExpiryMarginMs = 50;
inline constexpr TimeMs kSweepIntervalMs = 250;

enum class LeaseState : std::uint8_t { kLive = 0, kRevoked = 1, kExpired = 2 };

struct LeaseRecord {
  TimeMs ttl_ms = 0;
  LeaseState state = LeaseState::kLive;

  bool terminal() const { return state != LeaseState::kLive; }
  friend bool operator==(const LeaseRecord&, const LeaseRecord&) = default;
};

std::string lease_key(LeaseId id);
// The lease id of a lease key, nullopt for any other key.
std::optional<LeaseId> lease_of_key(std::string_view key);
// 16 lowercase hex digits; parse_lease_id takes them back (nullopt if malformed or 0).
std::string format_lease_id(LeaseId id);
std::optional<LeaseId> parse_lease_id(std::string_view text);

std::string encode_lease(const LeaseRecord& record);
std::optional<LeaseRecord> decode_lease(std::string_view value);
// The record a lease key's value holds, nullopt when absent or not a lease record.
std::optional<LeaseRecord> lease_in(const KeyValue& value);
// Whether `value` for `key` is a lease's expiry: the one value an acceptor may refuse for
// a reason other than its promise (its own clock).
bool is_lease_expiry(std::string_view key, const KeyValue& value);

// How long, on a replica's own clock, a lease of `ttl_ms` must have gone without a
// keepalive before the replica accepts its expiry (see above).
inline TimeMs expiry_wait(TimeMs ttl_ms) {
  return ttl_ms + (ttl_ms * kDriftPpm + 999'999) / 1'000'000 + kExpiryMarginMs;
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

// A paxoskv replica, runnable in-process: the embedded API.
//
// Threads. A Node runs on a thread of its own (the replica's thread). Every method is
// thread-safe. Asynchronous calls take a callback and return at once; the callback runs
// exactly once, on the replica's thread, except that it runs at once on the caller's
// thread when the call fails its argument checks (invalid_argument) and for local reads.
// In a callback: keep it short, never block, never call a blocking method of this Node
// (it would wait for the thread it is blocking) and never destroy the Node; calling the
// asynchronous methods is fine. Blocking calls (those that return a Result) wait for the
// answer on the caller's thread.
//
// Ownership. Arguments are copied or moved in; nothing the caller passes must outlive the
// call. Results are values the caller owns. A callback is destroyed on the replica's
// thread once it has run (or when the Node stops).
//
// Outcomes. A failed operation returns a Result whose `code` says why (see result.h for
// each Errc's meaning and HTTP status) and whose `message` says it in words. Every call
// may also return invalid_argument (an empty key, a key longer than
// Options::max_key_bytes or holding a NUL byte, a value longer than
// Options::max_value_bytes), shutting_down (the node is stopping, or stopped on a disk
// failure) and removed (this replica was removed from the cluster: it serves nothing). On a write,
// no_quorum means the outcome is UNKNOWN: the write may have been chosen, may be chosen later, or
// may never be. Read the key to learn which.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "paxoskv/auth.h"
#include "paxoskv/lease.h"
#include "paxoskv/lease_hold.h"
#include "paxoskv/membership.h"
#include "paxoskv/options.h"
#include "paxoskv/readiness.h"
#include "paxoskv/result.h"
#include "paxoskv/snapshot.h"
#include "paxoskv/start_refused.h"
#include "paxoskv/watch.h"

namespace paxoskv {

struct NodeStatus {
  std::uint32_t id = 0;
  // The members as this replica knows them (its applied configuration): while a change
  // runs, those of both configurations.
  std::map<std::uint32_t, std::string> cluster;
  std::map<std::uint32_t, bool> reachable;  // peers only
  std::uint64_t index = 0;                  // change index
  Membership membership;                    // this replica's applied configuration
  bool removed = false;                     // this replica is no longer a member
  Readiness readiness;                      // GET /readyz
};

class Node {
 public:
  using Callback = std::function<void(Result)>;
  using ChangesCallback = std::function<void(std::vector<Change> changes, std::uint64_t index)>;

  // Opens the data dir and starts serving peers on a thread of its own. Throws
  // std::invalid_argument for options that cannot work (no members, an id that is 0 or
  // not a member, no data dir, a request timeout that is not positive, max_key_bytes above
  // kKeyBytesLimit), and
  // std::runtime_error if the data dir is corrupt, belongs to another replica or cluster,
  // or the peer address cannot be bound; StartRefused if it holds the marker of an earlier
  // disk failure. On an empty (or missing) data dir it first asks
  // every peer whether it knows this replica id as having served: each peer that accepts
  // a connection is waited for until it answers (unreachable ones are given up after 3 s),
  // so this may block as long as a connected peer is slow. If one knows the id, this
  // replica's data was lost and it throws LostDataError (see README, "A lost data dir").
  explicit Node(Options options);
  // Stops: answers what is decided, fails the rest with shutting_down, closes the store.
  ~Node();
  // Stops serving now (as the destructor does) but keeps the object: long polls are
  // answered, later calls fail with shutting_down. For a graceful stop of a process.
  void shutdown();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Reads the peer TLS files of Options::peer_tls again (after they were replaced, say by
  // a certificate rotation): peer connections made from now on use them, established ones
  // go on, so the cluster keeps serving. If the new files cannot be used, logs why and
  // keeps the certificates in use. Any thread; blocks while the node's thread reloads.
  // True if reloaded; false without peer TLS or on bad files.
  bool reload_certificates();

  // Writes `value` to `key`; with `expected`, only if the key's version is `expected`
  // now (0: only if the key is absent), a compare-and-set. The answer comes once a
  // majority has made the write durable and this replica applied it.
  //   ok: done; `version` is the key's new version.
  //   conflict: `expected` did not hold; nothing changed; `version` is the current one.
  //   no_quorum: no majority within Options::request_timeout; outcome unknown (see above).
  //   no_space: this replica's disk is (almost) full; nothing was done.
  void put(const std::string& key, std::string value, std::optional<std::uint64_t> expected,
           Callback done);
  void put(const std::string& key, std::string value, Callback done) {
    put(key, std::move(value), std::nullopt, std::move(done));
  }
  // put() with a condition: only if the key's version is `expected` (0: only if absent).
  void compare_and_set(const std::string& key, std::uint64_t expected, std::string value,
                       Callback done) {
    put(key, std::move(value), expected, std::move(done));
  }
  // Deletes `key`; with `expected`, only if its version is `expected` now.
  //   ok: deleted; `version` is the version of the delete (versions never repeat).
  //   not_found: the key is absent; nothing changed; `version` is its version.
  //   conflict, no_quorum: as for put(). A delete is never refused for lack of space.
  void remove(const std::string& key, std::optional<std::uint64_t> expected, Callback done);
  // Reads `key`. linearizable: the latest chosen value, confirmed by a majority (it may
  // run a round of Paxos); local: this replica's applied state, at once, possibly stale.
  //   ok: `value` and `version`.
  //   not_found: absent; `version` is its version (0 if never written).
  //   no_quorum (linearizable only): no majority within the request timeout.
  void get(const std::string& key, Consistency consistency, Callback done);

  // Long poll: answers with the key's local state (ok or not_found, as get() local) as
  // soon as this replica applied a version above `after_version`, or at `timeout` with
  // the state as it is then.
  void wait(const std::string& key, std::uint64_t after_version, std::chrono::milliseconds timeout,
            Callback done);
  // Long poll on a prefix: the changes under `prefix` this replica applied after its
  // change index `after_index` (latest state per key, deletes included), as soon as there
  // is one, or none at `timeout`; `index` is where to wait from next. On stop it answers
  // with no changes.
  void wait_prefix(const std::string& prefix, std::uint64_t after_index,
                   std::chrono::milliseconds timeout, ChangesCallback done);

  // Calls `on_change` for every change of `key` this replica applies with a version above
  // `from_version`, in version order, each once, starting with the current state if it
  // is already newer. Versions the replica skipped while catching up after being cut off
  // are skipped here too: the latest state always arrives. Resume after a restart by
  // passing the last version seen. Runs on the replica's thread (the rules for callbacks
  // above hold). Keep the handle: destroying it ends the watch. Invalid keys are not
  // reported: the watch never fires.
  std::unique_ptr<WatchHandle> watch(const std::string& key, std::uint64_t from_version,
                                     std::function<void(const Change&)> on_change);
  // Calls `on_change` for every change under `prefix` this replica applies after its
  // change index `from_index`, in change index order, each once (the latest state of a
  // key that changed several times meanwhile). Resume with the last change's index.
  std::unique_ptr<WatchHandle> watch_prefix(const std::string& prefix, std::uint64_t from_index,
                                            std::function<void(const Change&)> on_change);

  // Blocking forms of the calls above: the same outcomes.
  Result put(const std::string& key, std::string value,
             std::optional<std::uint64_t> expected = std::nullopt);
  Result compare_and_set(const std::string& key, std::uint64_t expected, std::string value) {
    return put(key, std::move(value), expected);
  }
  Result remove(const std::string& key, std::optional<std::uint64_t> expected = std::nullopt);
  Result get(const std::string& key, Consistency consistency = Consistency::linearizable);

  // Keys starting with `prefix` and greater than `after`, in key order, from this
  // replica's applied state (local consistency), at most `limit`; `more` says whether
  // more keys match. Blocking; it reads the store on the caller's thread.
  ListResult list(const std::string& prefix, const std::string& after = {},
                  std::size_t limit = 1000);

  // Membership (see README, "Membership"). A change goes through a joint configuration:
  // while it runs, every decision needs a majority of the old members and a majority of
  // the new ones, and every key is carried over to the new members; then the new
  // configuration alone is in force. One change at a time; a change that finds another
  // still running first finishes it.
  using MembershipCallback = std::function<void(MembershipResult)>;
  // Adds replica `id`, reached at `peer_address` ("host:port"). The answer comes once the
  // new configuration is in force; it does not wait for the new replica to start (start
  // it promptly, with Options::join: until it runs, a majority of the new configuration
  // needs the others all the more).
  //   ok: `membership` is the new configuration.
  //   invalid_argument: id 0 or a malformed address.
  //   conflict: the id is a member, or was one (ids are never reused).
  //   no_quorum: no majority within the request timeout; the change may go on later.
  //   removed: this replica is no longer a member.
  void add_member(std::uint32_t id, const std::string& peer_address, MembershipCallback done);
  // Removes replica `id` (it may be this one). The answer comes once the removed replica
  // counts for no quorum.
  //   ok: `membership` is the new configuration.
  //   not_found: `id` is not a member.  conflict: it is the last member.
  //   no_quorum, removed: as for add_member().
  void remove_member(std::uint32_t id, MembershipCallback done);
  // This replica's applied configuration: at once, possibly behind the cluster's.
  Membership membership() const;
  // Blocking forms.
  MembershipResult add_member(std::uint32_t id, const std::string& peer_address);
  MembershipResult remove_member(std::uint32_t id);

  // Tokens (see README, "Authentication"): each is replicated state, a reserved key
  // written by the same Paxos as any key; the cluster keeps a token's SHA-256, never the
  // token. Every replica checks tokens against the tokens it applied, in memory. The calls
  // below are the administrator's: they check no token themselves.
  using TokenCallback = std::function<void(CreatedToken)>;
  // Makes a token named `name` with `role`, reaching the keys under `prefix`.
  //   ok: `token` is the secret, given this once.
  //   invalid_argument: a bad name (1 to 64 of A-Z a-z 0-9 . _ -), a prefix holding NUL
  //     or longer than a key, or an admin token with a prefix.
  //   conflict: a token of that name exists (revoke it first).
  //   no_quorum, no_space: as for put().
  void create_token(const std::string& name, Role role, const std::string& prefix,
                    TokenCallback done);
  // Revokes token `name`: once applied, no replica accepts it.
  //   ok: revoked.  not_found: no token has that name.  no_quorum: as for remove().
  void revoke_token(const std::string& name, Callback done);
  // The tokens this replica applied, by name: at once, possibly behind the cluster's.
  std::vector<TokenInfo> tokens() const;
  // The token whose secret is `token`; nullopt if none. From this replica's table, at
  // once and constant-time in the secret, except for a token the replica had before its
  // start: a revocation may have happened while it was down, so it trusts such a token
  // only once a linearizable read of it has found it (once per token and start). The
  // answer may then come later, from the replica's thread, or fail (no_quorum).
  using AuthenticationCallback = std::function<void(Authentication)>;
  void authenticate(std::string_view token, AuthenticationCallback done);
  // Blocking form: nullopt also when the token could not be checked. Not to be called
  // from a callback of this Node.
  std::optional<TokenInfo> authenticate(std::string_view token);
  // The token whose secret is `token` in this replica's table, confirmed or not, at once:
  // for a check again of a token authenticate() accepted.
  std::optional<TokenInfo> known_token(std::string_view token) const;
  // Blocking forms.
  CreatedToken create_token(const std::string& name, Role role, const std::string& prefix);
  Result revoke_token(const std::string& name);

  // Leases (see README, "Leases"): a lease lives while kept alive; a key put with a lease
  // is deleted when the lease is revoked or expires. A lease expires no earlier than its
  // TTL after the last keepalive answered ok (the clock assumption is in README) and,
  // while a majority is up, no later than about TTL + 2 s after it.
  using LeaseCallback = std::function<void(LeaseResult)>;
  // Grants a lease of `ttl` (kMinLeaseTtl to kMaxLeaseTtl).
  //   ok: `lease` is the new lease (id, ttl, remaining = ttl).
  //   invalid_argument: ttl out of range.  no_quorum, no_space: as for put().
  // Throws std::runtime_error if no random id can be made (OpenSSL's generator failed).
  void grant_lease(std::chrono::milliseconds ttl, LeaseCallback done);
  // A lease id that is not 16 hex digits names no lease: not_found, like an unknown one.
  // Renews lease `id`: no write, a majority of replicas notes the time.
  //   ok: renewed; `lease` holds id, ttl, remaining.
  //   not_found: no such lease, or it is revoked or expired.
  //   no_quorum: no majority acknowledged it in time; it may or may not be renewed.
  void keep_alive(const std::string& id, LeaseCallback done);
  // Revokes lease `id` and deletes the keys attached to it (each as a change).
  //   ok: revoked; the keys this replica knew attached are deleted.
  //   not_found: no such lease, or it is revoked or expired already.  no_quorum: unknown.
  void revoke_lease(const std::string& id, Callback done);
  // Lease `id` as the cluster has it (a linearizable read), with its keys as this replica
  // applied them.  ok, or not_found (also once revoked or expired), or no_quorum.
  void lease(const std::string& id, LeaseCallback done);
  // put() attaching `key` to lease `lease`: deleted when the lease ends.
  //   not_found: the lease does not exist or is no longer live (message "lease not
  //   found"); nothing changed. Else as put().
  void put_with_lease(const std::string& key, std::string value,
                      std::optional<std::uint64_t> expected, const std::string& lease,
                      Callback done);
  // Blocking forms.
  LeaseResult grant_lease(std::chrono::milliseconds ttl);
  LeaseResult keep_alive(const std::string& id);
  Result revoke_lease(const std::string& id);
  LeaseResult lease(const std::string& id);
  Result put_with_lease(const std::string& key, std::string value,
                        std::optional<std::uint64_t> expected, const std::string& lease);

  // Locks and leader election over leases (see README, "Locks and leader election").
  // Blocking; never from a callback of this Node. lock() takes the key `name`, written
  // only while absent and attached to a new lease of `ttl`, waiting up to `wait_limit`
  // while another holds it; its value names the holder (host and process). campaign()
  // does the same with `value`, the leader's name for those who watch the key. The hold
  // keeps the lease alive in the background until released or destroyed, which deletes
  // the key; its fencing token is the key's version, larger for every later holder.
  HoldResult lock(const std::string& name, std::chrono::milliseconds ttl = std::chrono::seconds(10),
                  std::chrono::milliseconds wait_limit = kWaitForever);
  HoldResult campaign(const std::string& name, std::string value,
                      std::chrono::milliseconds ttl = std::chrono::seconds(10),
                      std::chrono::milliseconds wait_limit = kWaitForever);

  // A consistent copy of this replica's applied state (see README, "Backup and restore"),
  // taken after a barrier: it holds every write any member acknowledged before the call.
  //   ok: `stream` gives the snapshot file; it reads one snapshot of the store, so later
  //     writes do not show in it. Read it while the Node lives: once the Node is
  //     destroyed, its next() throws std::runtime_error.
  //   no_quorum: some member did not answer within the request timeout.
  using SnapshotCallback = std::function<void(SnapshotResult)>;
  void snapshot(SnapshotCallback done);

  // This replica's change index: how many changes it has applied, persisted.
  std::uint64_t index() const;
  NodeStatus status() const;
  // Prometheus text exposition of the replica's counters.
  std::string metrics_text() const;
  // The same, handed to `done` later without waiting here for the replica's thread (which
  // alone reads its counters): on a client thread (Options::client_threads), without them
  // on the replica's thread.
  void metrics_text(std::function<void(std::string)> done) const;

  const Options& options() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  friend class NodeIo;  // the HTTP front end, served from the node's threads
};

}  // namespace paxoskv

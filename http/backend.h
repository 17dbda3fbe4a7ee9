// What the HTTP front end needs from a replica. The node implements it; tests fake it.
// Every callback may run on another thread than the caller's.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "paxoskv/auth.h"
#include "paxoskv/lease.h"
#include "paxoskv/membership.h"
#include "paxoskv/readiness.h"
#include "paxoskv/result.h"
#include "paxoskv/snapshot.h"

namespace paxoskv::http {

class Backend {
 public:
  using ResultCallback = std::function<void(Result)>;
  using ChangesCallback = std::function<void(std::vector<Change> changes, std::uint64_t index)>;
  using MembershipCallback = std::function<void(MembershipResult)>;
  using TokenCallback = std::function<void(CreatedToken)>;
  using LeaseCallback = std::function<void(LeaseResult)>;

  virtual ~Backend() = default;

  // expected: compare-and-set on the version (0: only if absent).
  virtual void put(const std::string& key, std::string value, std::optional<std::uint64_t> expected,
                   ResultCallback done) = 0;
  virtual void remove(const std::string& key, std::optional<std::uint64_t> expected,
                      ResultCallback done) = 0;
  virtual void get(const std::string& key, Consistency consistency, ResultCallback done) = 0;
  // Answers once this replica applied a version of `key` above `after_version`, or at
  // `timeout` with the current local state.
  virtual void wait_key(const std::string& key, std::uint64_t after_version,
                        std::chrono::milliseconds timeout, ResultCallback done) = 0;
  // Answers with the changes under `prefix` this replica applied after change index
  // `after_index` (latest state per key), or at `timeout` with none; `index` is the
  // replica's change index when answered.
  virtual void wait_prefix(const std::string& prefix, std::uint64_t after_index,
                           std::chrono::milliseconds timeout, ChangesCallback done) = 0;

  virtual ListResult list(const std::string& prefix, const std::string& after,
                          std::size_t limit) = 0;
  virtual std::uint64_t index() const = 0;

  // Membership changes (Node::add_member, Node::remove_member): each answers once the
  // change is in force, which may take long (every key is carried over).
  virtual void add_member(std::uint32_t id, const std::string& peer_address,
                          MembershipCallback done) = 0;
  virtual void remove_member(std::uint32_t id, MembershipCallback done) = 0;
  // This replica's applied configuration, at once.
  virtual Membership membership() const = 0;
  // Whether this replica was removed from the cluster: it then serves no client request.
  virtual bool removed() const = 0;
  // Tokens (Node::create_token and the rest): made and revoked through the cluster,
  // listed and checked from this replica's table, at once.
  virtual void create_token(const std::string& name, Role role, const std::string& prefix,
                            TokenCallback done) = 0;
  virtual void revoke_token(const std::string& name, ResultCallback done) = 0;
  virtual std::vector<TokenInfo> tokens() const = 0;
  // Node::authenticate: at once, or once the cluster confirmed a token the replica had
  // before its start; `known_token` is Node::known_token.
  virtual void authenticate(std::string_view token, std::function<void(Authentication)> done) = 0;
  virtual std::optional<TokenInfo> known_token(std::string_view token) const = 0;
  // Leases (Node::grant_lease and the rest).
  virtual void put_with_lease(const std::string& key, std::string value,
                              std::optional<std::uint64_t> expected, const std::string& lease,
                              ResultCallback done) = 0;
  virtual void grant_lease(std::chrono::milliseconds ttl, LeaseCallback done) = 0;
  virtual void keep_alive(const std::string& id, LeaseCallback done) = 0;
  virtual void revoke_lease(const std::string& id, ResultCallback done) = 0;
  virtual void lease(const std::string& id, LeaseCallback done) = 0;
  // For GET /readyz, at once (as last assessed by the replica's thread).
  virtual Readiness readiness() const = 0;
  // Node::snapshot. A backend without snapshots answers shutting_down.
  virtual void snapshot(std::function<void(SnapshotResult)> done) {
    done(SnapshotResult{Result::failure(Errc::shutting_down, 0, "no snapshots here"), nullptr});
  }
  // JSON text for GET /v1/status.
  virtual std::string status_json() const = 0;
  // Prometheus text of the replica's own metrics (the front end adds its own).
  virtual std::string metrics_text() const = 0;
  // The same, handed to `done` possibly later, on another thread: what GET /metrics asks
  // for, so that a backend whose counters live on another thread holds no thread of the
  // front end's while it gathers them.
  virtual void collect_metrics(std::function<void(std::string)> done) { done(metrics_text()); }
};

}  // namespace paxoskv::http

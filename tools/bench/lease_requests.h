// The lease workloads' requests in paxoskv's HTTP API (README, "Leases, locks"): grants,
// keepalives, and a lock's take and release. paxoskv only: etcd's leases are gRPC.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocol.h"

namespace paxoskv::bench {

class LeaseRequests {
 public:
  // A non-empty `token` goes with every request as "Authorization: Bearer <token>".
  explicit LeaseRequests(std::string token = {}) : token_(std::move(token)) {}

  // POST /v1/leases {"ttl": "<ttl>"}, `ttl` like "60s".
  void format_grant(RequestText& out, std::string_view host, std::string_view ttl) const;
  // POST /v1/leases/{id}/keepalive.
  void format_keepalive(RequestText& out, std::string_view host, std::string_view id) const;
  // PUT /v1/kv/{key}?cas=0&lease={id}: takes the lock `key` while nobody holds it.
  void format_take(RequestText& out, std::string_view host, std::string_view key,
                   std::string_view id) const;
  // GET /v1/kv/{key}?wait={version}&timeout=1s: until the holder at `version` lets go.
  void format_wait(RequestText& out, std::string_view host, std::string_view key,
                   std::uint64_t version) const;
  // DELETE /v1/kv/{key}?cas={version}: lets go of the lock taken at `version`.
  void format_release(RequestText& out, std::string_view host, std::string_view key,
                      std::uint64_t version) const;

  // The id a grant's answer names; nullopt for any other answer.
  static std::optional<std::string> granted_id(const Reply& reply);

 private:
  void append_headers(std::string& out, std::string_view host, std::size_t body_size) const;

  std::string token_;
};

}  // namespace paxoskv::bench

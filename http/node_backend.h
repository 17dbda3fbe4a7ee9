// The front end's Backend served by a paxoskv::Node.
#pragma once

#include "http/backend.h"
#include "paxoskv/node.h"

namespace paxoskv::http {

class NodeBackend final : public Backend {
 public:
  explicit NodeBackend(Node& node) : node_(node) {}

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
  void add_member(std::uint32_t id, const std::string& peer_address,
                  MembershipCallback done) override;
  void remove_member(std::uint32_t id, MembershipCallback done) override;
  Membership membership() const override;
  bool removed() const override;
  void create_token(const std::string& name, Role role, const std::string& prefix,
                    TokenCallback done) override;
  void revoke_token(const std::string& name, ResultCallback done) override;
  std::vector<TokenInfo> tokens() const override;
  void authenticate(std::string_view token, std::function<void(Authentication)> done) override;
  std::optional<TokenInfo> known_token(std::string_view token) const override;
  void put_with_lease(const std::string& key, std::string value,
                      std::optional<std::uint64_t> expected, const std::string& lease,
                      ResultCallback done) override;
  void grant_lease(std::chrono::milliseconds ttl, LeaseCallback done) override;
  void keep_alive(const std::string& id, LeaseCallback done) override;
  void revoke_lease(const std::string& id, ResultCallback done) override;
  void lease(const std::string& id, LeaseCallback done) override;
  Readiness readiness() const override;
  void snapshot(std::function<void(SnapshotResult)> done) override;
  std::string status_json() const override;
  std::string metrics_text() const override;
  void collect_metrics(std::function<void(std::string)> done) override;

 private:
  Node& node_;
};

}  // namespace paxoskv::http

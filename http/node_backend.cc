#include "http/node_backend.h"

#include "http/json_render.h"

namespace paxoskv::http {

void NodeBackend::put(const std::string& key, std::string value,
                      std::optional<std::uint64_t> expected, ResultCallback done) {
  node_.put(key, std::move(value), expected, std::move(done));
}

void NodeBackend::remove(const std::string& key, std::optional<std::uint64_t> expected,
                         ResultCallback done) {
  node_.remove(key, expected, std::move(done));
}

void NodeBackend::get(const std::string& key, Consistency consistency, ResultCallback done) {
  node_.get(key, consistency, std::move(done));
}

void NodeBackend::wait_key(const std::string& key, std::uint64_t after_version,
                           std::chrono::milliseconds timeout, ResultCallback done) {
  node_.wait(key, after_version, timeout, std::move(done));
}

void NodeBackend::wait_prefix(const std::string& prefix, std::uint64_t after_index,
                              std::chrono::milliseconds timeout, ChangesCallback done) {
  node_.wait_prefix(prefix, after_index, timeout, std::move(done));
}

ListResult NodeBackend::list(const std::string& prefix, const std::string& after,
                             std::size_t limit) {
  return node_.list(prefix, after, limit);
}

std::uint64_t NodeBackend::index() const {
  return node_.index();
}

void NodeBackend::add_member(std::uint32_t id, const std::string& peer_address,
                             MembershipCallback done) {
  node_.add_member(id, peer_address, std::move(done));
}

void NodeBackend::remove_member(std::uint32_t id, MembershipCallback done) {
  node_.remove_member(id, std::move(done));
}

Membership NodeBackend::membership() const {
  return node_.membership();
}

bool NodeBackend::removed() const {
  return node_.status().removed;
}

void NodeBackend::create_token(const std::string& name, Role role, const std::string& prefix,
                               TokenCallback done) {
  node_.create_token(name, role, prefix, std::move(done));
}

void NodeBackend::revoke_token(const std::string& name, ResultCallback done) {
  node_.revoke_token(name, std::move(done));
}

std::vector<TokenInfo> NodeBackend::tokens() const {
  return node_.tokens();
}

void NodeBackend::authenticate(std::string_view token, std::function<void(Authentication)> done) {
  node_.authenticate(token, std::move(done));
}

std::optional<TokenInfo> NodeBackend::known_token(std::string_view token) const {
  return node_.known_token(token);
}

void NodeBackend::put_with_lease(const std::string& key, std::string value,
                                 std::optional<std::uint64_t> expected, const std::string& lease,
                                 ResultCallback done) {
  node_.put_with_lease(key, std::move(value), expected, lease, std::move(done));
}

void NodeBackend::grant_lease(std::chrono::milliseconds ttl, LeaseCallback done) {
  node_.grant_lease(ttl, std::move(done));
}

void NodeBackend::keep_alive(const std::string& id, LeaseCallback done) {
  node_.keep_alive(id, std::move(done));
}

void NodeBackend::revoke_lease(const std::string& id, ResultCallback done) {
  node_.revoke_lease(id, std::move(done));
}

void NodeBackend::lease(const std::string& id, LeaseCallback done) {
  node_.lease(id, std::move(done));
}

Readiness NodeBackend::readiness() const {
  return node_.status().readiness;
}

std::string NodeBackend::status_json() const {
  return to_text(http::status_json(node_.status()));
}

std::string NodeBackend::metrics_text() const {
  return node_.metrics_text();
}

void NodeBackend::collect_metrics(std::function<void(std::string)> done) {
  node_.metrics_text(std::move(done));
}

void NodeBackend::snapshot(std::function<void(SnapshotResult)> done) {
  node_.snapshot(std::move(done));
}

}  // namespace paxoskv::http

#include "http/node_backend.h"

#include <nlohmann/json.hpp>

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

std::string NodeBackend::status_json() const {
  const NodeStatus status = node_.status();
  nlohmann::json members = nlohmann::json::array();
  std::size_t reachable = 1;  // itself
  for (const auto& [id, address] : status.cluster) {
    nlohmann::json member = {{"id", id}, {"peer_address", address}, {"self", id == status.id}};
    if (id != status.id) {
      const bool up = status.reachable.at(id);
      member["reachable"] = up;
      reachable += up ? 1 : 0;
    } else {
      member["reachable"] = true;
    }
    members.push_back(std::move(member));
  }
  const nlohmann::json body = {
      {"id", status.id},
      {"members", std::move(members)},
      {"reachable", reachable},
      {"quorum", status.cluster.size() / 2 + 1},
      {"has_quorum", reachable >= status.cluster.size() / 2 + 1},
      {"index", status.index},
  };
  return body.dump();
}

std::string NodeBackend::metrics_text() const {
  return node_.metrics_text();
}

}  // namespace paxoskv::http

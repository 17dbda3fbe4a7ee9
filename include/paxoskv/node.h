// A paxoskv replica, runnable in-process. Every call is thread-safe. Asynchronous calls
// take a callback that runs on the replica's own thread: keep it short and never block in
// it (post work elsewhere). Blocking calls wait for the result.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "paxoskv/options.h"
#include "paxoskv/result.h"

namespace paxoskv {

struct NodeStatus {
  std::uint32_t id = 0;
  std::map<std::uint32_t, std::string> cluster;
  std::map<std::uint32_t, bool> reachable;  // peers only
  std::uint64_t index = 0;                  // change index
};

class Node {
 public:
  using Callback = std::function<void(Result)>;

  // Opens the data dir and starts serving peers on a thread of its own. Throws
  // std::runtime_error if the data dir is corrupt, belongs to another replica or
  // cluster, or the peer address cannot be bound.
  explicit Node(Options options);
  // Stops: fails requests in flight with shutting_down, closes the store.
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  void put(const std::string& key, std::string value, Callback done);
  // Only if the key's version is `expected` (0: only if absent).
  void compare_and_set(const std::string& key, std::uint64_t expected, std::string value,
                       Callback done);
  void remove(const std::string& key, std::optional<std::uint64_t> expected, Callback done);
  void get(const std::string& key, Consistency consistency, Callback done);

  Result put(const std::string& key, std::string value);
  Result compare_and_set(const std::string& key, std::uint64_t expected, std::string value);
  Result remove(const std::string& key, std::optional<std::uint64_t> expected = std::nullopt);
  Result get(const std::string& key, Consistency consistency = Consistency::linearizable);

  // Keys starting with `prefix` and greater than `after`, in key order, from this
  // replica's applied state (local consistency).
  ListResult list(const std::string& prefix, const std::string& after = {},
                  std::size_t limit = 1000);

  // This replica's change index: how many changes it has applied, persisted.
  std::uint64_t index() const;
  NodeStatus status() const;
  // Prometheus text exposition of the replica's counters.
  std::string metrics_text() const;

  const Options& options() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace paxoskv

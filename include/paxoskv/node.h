// A paxoskv replica, runnable in-process. Every call is thread-safe. Asynchronous calls
// take a callback that runs on the replica's own thread (or at once on the caller's, for
// local reads and invalid arguments): keep it short and never block in it, and never
// call a blocking method from it. Blocking calls wait for the result.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "paxoskv/options.h"
#include "paxoskv/result.h"
#include "paxoskv/watch.h"

namespace paxoskv {

struct NodeStatus {
  std::uint32_t id = 0;
  std::map<std::uint32_t, std::string> cluster;
  std::map<std::uint32_t, bool> reachable;  // peers only
  std::uint64_t index = 0;                  // change index
};

// A replica on an empty data dir whose id a peer knows as having served: its promises
// are gone, so it must never vote again under this id. Replace it under a new id.
class LostDataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Node {
 public:
  using Callback = std::function<void(Result)>;
  using ChangesCallback = std::function<void(std::vector<Change> changes, std::uint64_t index)>;

  // Opens the data dir and starts serving peers on a thread of its own. Throws
  // std::runtime_error if the data dir is corrupt, belongs to another replica or
  // cluster, or the peer address cannot be bound. On an empty (or missing) data dir it
  // first asks every peer whether it knows this replica id as having served, which takes
  // until each answered or proved unreachable (a few seconds at most); if one does, this
  // replica's data was lost and it throws LostDataError (see README, "A lost data dir").
  explicit Node(Options options);
  // Stops: answers what is decided, fails the rest with shutting_down, closes the store.
  ~Node();
  // Stops serving now (as the destructor does) but keeps the object: long polls are
  // answered, later calls fail with shutting_down. For a graceful stop of a process.
  void shutdown();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  void put(const std::string& key, std::string value, Callback done);
  // Only if the key's version is `expected` (0: only if absent).
  void compare_and_set(const std::string& key, std::uint64_t expected, std::string value,
                       Callback done);
  void remove(const std::string& key, std::optional<std::uint64_t> expected, Callback done);
  void get(const std::string& key, Consistency consistency, Callback done);

  // Long poll: answers with the key's local state as soon as this replica applied a
  // version above `after_version`, or at `timeout`.
  void wait(const std::string& key, std::uint64_t after_version, std::chrono::milliseconds timeout,
            Callback done);
  // Long poll on a prefix: the changes under `prefix` this replica applied after its
  // change index `after_index` (latest state per key, deletes included), as soon as there
  // is one, or none at `timeout`; `index` is where to wait from next.
  void wait_prefix(const std::string& prefix, std::uint64_t after_index,
                   std::chrono::milliseconds timeout, ChangesCallback done);

  // Calls `on_change` for every change of `key` this replica applies with a version above
  // `from_version`, in version order, each once, starting with the current state if it
  // is already newer. Versions the replica skipped while catching up after being cut off
  // are skipped here too: the latest state always arrives. Resume after a restart by
  // passing the last version seen. Runs on the replica's thread.
  std::unique_ptr<WatchHandle> watch(const std::string& key, std::uint64_t from_version,
                                     std::function<void(const Change&)> on_change);
  // Calls `on_change` for every change under `prefix` this replica applies after its
  // change index `from_index`, in change index order, each once (the latest state of a
  // key that changed several times meanwhile). Resume with the last change's index.
  std::unique_ptr<WatchHandle> watch_prefix(const std::string& prefix, std::uint64_t from_index,
                                            std::function<void(const Change&)> on_change);

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
  friend class NodeIo;  // the HTTP front end, served from the node's thread
};

}  // namespace paxoskv

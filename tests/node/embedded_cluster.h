// Replicas of one paxoskv cluster running in this process, each a Node on its own free
// loopback port with a temporary data dir, for tests of the embeddable API.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "paxoskv/node.h"

namespace paxoskv::node_test {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// `count` distinct loopback ports nothing listens on: each is bound to port 0 with a plain
// socket (all held until every one is picked, so none is handed out twice), then closed.
std::vector<std::uint16_t> pick_free_ports(std::size_t count);

class EmbeddedCluster {
 public:
  // Starts replicas 1..size, each with `client_threads` (Options::client_threads).
  explicit EmbeddedCluster(std::size_t size = 3,
                           std::chrono::milliseconds request_timeout = std::chrono::seconds(5),
                           std::size_t client_threads = 0);
  // Stops every replica, then removes the data dirs.
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  // The running replica `id`; throws if it is stopped.
  Node& node(std::uint32_t id);
  bool running(std::uint32_t id) const;
  // Destroys replica `id`'s Node (its data dir stays).
  void stop(std::uint32_t id);
  // Constructs replica `id`'s Node again on the same data dir and ports.
  void start(std::uint32_t id);
  void restart(std::uint32_t id);
  // Whether every running replica reaches every other running replica.
  bool connected();

  Options options_of(std::uint32_t id) const;
  std::size_t size() const { return cluster_.size(); }

 private:
  TempDir root_;  // declared first: outlives every Node
  std::chrono::milliseconds request_timeout_;
  std::size_t client_threads_;
  std::map<std::uint32_t, std::string> cluster_;
  std::map<std::uint32_t, std::unique_ptr<Node>> nodes_;
};

// Calls `probe` until it returns true or `limit` has passed (at least once); whether it did.
template <typename Probe>
bool eventually(std::chrono::milliseconds limit, Probe probe,
                std::chrono::milliseconds pause = std::chrono::milliseconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    if (probe()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(pause);
  }
}

}  // namespace paxoskv::node_test

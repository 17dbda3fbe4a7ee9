// How to start a replica.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace paxoskv {

struct Options {
  std::uint32_t id = 0;                          // this replica's id, a key of `cluster`
  std::map<std::uint32_t, std::string> cluster;  // id -> peer address "host:port", self included
  std::string data_dir;                          // LevelDB lives here; created if missing
  std::string cluster_name = "paxoskv";  // a data dir serves only the cluster it was made for
  std::string peer_listen;               // where peers connect; defaults to cluster[id]
  std::size_t max_value_bytes = 1 << 20;
  std::size_t max_key_bytes = 1024;
  std::chrono::milliseconds request_timeout{5000};
};

}  // namespace paxoskv

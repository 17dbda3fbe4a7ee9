#include "tests/node/embedded_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace paxoskv::node_test {

TempDir::TempDir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;  // a destructor must not throw; a leftover dir is harmless
  std::filesystem::remove_all(path_, ignored);
}

namespace {

// A socket descriptor, closed on destruction.
class Socket {
 public:
  Socket() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  }
  ~Socket() { ::close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::vector<std::uint16_t> pick_free_ports(std::size_t count) {
  std::vector<std::unique_ptr<Socket>> held;
  std::vector<std::uint16_t> ports;
  for (std::size_t i = 0; i < count; ++i) {
    Socket& socket = *held.emplace_back(std::make_unique<Socket>());
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    // No listen: the port is never left in TIME_WAIT.
    if (::bind(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      throw std::system_error(errno, std::generic_category(), "bind");
    }
    socklen_t length = sizeof address;
    if (::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::system_error(errno, std::generic_category(), "getsockname");
    }
    ports.push_back(ntohs(address.sin_port));
  }
  return ports;
}

EmbeddedCluster::EmbeddedCluster(std::size_t size, std::chrono::milliseconds request_timeout,
                                 std::size_t client_threads)
    : root_("paxoskv-node"), request_timeout_(request_timeout), client_threads_(client_threads) {
  const std::vector<std::uint16_t> ports = pick_free_ports(size);
  for (std::size_t i = 0; i < size; ++i) {
    cluster_[static_cast<std::uint32_t>(i + 1)] = "127.0.0.1:" + std::to_string(ports[i]);
  }
  for (const auto& [id, address] : cluster_) start(id);
}

EmbeddedCluster::~EmbeddedCluster() {
  nodes_.clear();
}

Options EmbeddedCluster::options_of(std::uint32_t id) const {
  Options options;
  options.id = id;
  options.cluster = cluster_;
  options.data_dir = (root_.path() / ("replica-" + std::to_string(id))).string();
  options.request_timeout = request_timeout_;
  options.client_threads = client_threads_;
  return options;
}

Node& EmbeddedCluster::node(std::uint32_t id) {
  auto it = nodes_.find(id);
  if (it == nodes_.end() || !it->second) {
    throw std::logic_error("replica " + std::to_string(id) + " is not running");
  }
  return *it->second;
}

bool EmbeddedCluster::running(std::uint32_t id) const {
  auto it = nodes_.find(id);
  return it != nodes_.end() && it->second != nullptr;
}

void EmbeddedCluster::stop(std::uint32_t id) {
  nodes_.erase(id);
}

void EmbeddedCluster::start(std::uint32_t id) {
  if (running(id)) throw std::logic_error("replica " + std::to_string(id) + " already runs");
  nodes_[id] = std::make_unique<Node>(options_of(id));
}

void EmbeddedCluster::restart(std::uint32_t id) {
  stop(id);
  start(id);
}

bool EmbeddedCluster::connected() {
  for (const auto& [id, node] : nodes_) {
    const NodeStatus status = node->status();
    for (const auto& [peer, reachable] : status.reachable) {
      if (running(peer) && !reachable) return false;
    }
  }
  return true;
}

}  // namespace paxoskv::node_test

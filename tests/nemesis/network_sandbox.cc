#include "tests/nemesis/network_sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "tests/nemesis/system_command.h"

namespace paxoskv::nemesis {

namespace {

constexpr const char* kSubnet = "10.77.0.";
constexpr const char* kHubAddress = "10.77.0.254/24";
constexpr const char* kNetnsDir = "/run/netns";

// The runner's process id in a namespace name "pkvn<pid>-...", if it is one of ours.
std::optional<long> owner_of(const std::string& namespace_name) {
  static const std::regex ours(R"(pkvn(\d+)\D.*)");
  std::smatch match;
  if (!std::regex_match(namespace_name, match, ours)) return std::nullopt;
  return std::stol(match[1].str());
}

}  // namespace

NetworkSandbox::NetworkSandbox(std::string name, std::size_t replicas,
                               std::filesystem::path command_log)
    : name_(std::move(name)), command_log_(std::move(command_log)) {
  try {
    create(replicas);
  } catch (...) {
    remove();
    throw;
  }
}

NetworkSandbox::~NetworkSandbox() {
  remove();
}

std::string NetworkSandbox::replica_address(int id) const {
  return kSubnet + std::to_string(id);
}

std::string NetworkSandbox::replica_namespace(int id) const {
  return name_ + "-r" + std::to_string(id);
}

std::filesystem::path NetworkSandbox::hub_namespace_path() const {
  return std::filesystem::path(kNetnsDir) / (name_ + "-hub");
}

std::vector<std::string> NetworkSandbox::run_inside(int id) const {
  return {find_program("ip").string(), "netns", "exec", replica_namespace(id)};
}

void NetworkSandbox::create(std::size_t replicas) {
  const std::string hub = name_ + "-hub";
  run_checked({"ip", "netns", "add", hub}, command_log_);
  created_.push_back(hub);
  run_checked({"ip", "-n", hub, "link", "set", "lo", "up"}, command_log_);
  run_checked({"ip", "-n", hub, "link", "add", "bridge", "type", "bridge"}, command_log_);
  run_checked({"ip", "-n", hub, "link", "set", "bridge", "up"}, command_log_);
  run_checked({"ip", "-n", hub, "addr", "add", kHubAddress, "dev", "bridge"}, command_log_);
  for (std::size_t i = 1; i <= replicas; ++i) {
    const int id = static_cast<int>(i);
    const std::string inside = replica_namespace(id);
    const std::string hub_end = "r" + std::to_string(id);
    run_checked({"ip", "netns", "add", inside}, command_log_);
    created_.push_back(inside);
    ids_.push_back(id);
    // The pair is made inside the hub, its other end moved straight into the replica's
    // namespace: no interface ever appears in the runner's own namespace.
    run_checked({"ip", "-n", hub, "link", "add", hub_end, "type", "veth", "peer", "name", "eth0",
                 "netns", inside},
                command_log_);
    run_checked({"ip", "-n", hub, "link", "set", hub_end, "master", "bridge", "up"}, command_log_);
    run_checked({"ip", "-n", inside, "link", "set", "lo", "up"}, command_log_);
    run_checked({"ip", "-n", inside, "addr", "add", replica_address(id) + "/24", "dev", "eth0"},
                command_log_);
    run_checked({"ip", "-n", inside, "link", "set", "eth0", "up"}, command_log_);
    nft(id,
        "add table inet nemesis; add chain inet nemesis input "
        "{ type filter hook input priority 0; policy accept; }");
  }
}

void NetworkSandbox::nft(int id, const std::string& script) {
  run_checked({"ip", "netns", "exec", replica_namespace(id), find_program("nft").string(), script},
              command_log_);
}

void NetworkSandbox::block(const std::map<int, std::set<int>>& blocked) {
  for (const int id : ids_) {
    std::string script = "flush chain inet nemesis input";
    const auto found = blocked.find(id);
    if (found != blocked.end() && !found->second.empty()) {
      std::string sources;
      for (const int from : found->second) {
        sources += (sources.empty() ? "" : ", ") + replica_address(from);
      }
      script += "; add rule inet nemesis input ip saddr { " + sources + " } drop";
    }
    nft(id, script);
  }
}

void NetworkSandbox::remove() noexcept {
  // Deleting a namespace deletes its end of each veth pair, and with it the other end.
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
    try {
      run_command({"ip", "netns", "delete", *it}, command_log_);
    } catch (...) {  // a destructor must not throw; remove_leftovers() retries next time
    }
  }
  created_.clear();
}

void NetworkSandbox::remove_leftovers(const std::filesystem::path& command_log) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(kNetnsDir, error)) {
    const std::string name = entry.path().filename().string();
    const auto owner = owner_of(name);
    if (!owner || ::kill(static_cast<pid_t>(*owner), 0) == 0 || errno != ESRCH) continue;
    run_command({"ip", "netns", "delete", name}, command_log);
  }
}

NetworkNamespaceEntry::NetworkNamespaceEntry(const std::filesystem::path& namespace_path) {
  original_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original_ < 0) throw std::system_error(errno, std::generic_category(), "open own netns");
  const int target = ::open(namespace_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    ::close(original_);
    throw std::system_error(errno, std::generic_category(), "open " + namespace_path.string());
  }
  const int entered = ::setns(target, CLONE_NEWNET);
  const int saved_errno = errno;
  ::close(target);
  if (entered != 0) {
    ::close(original_);
    throw std::system_error(saved_errno, std::generic_category(),
                            "setns " + namespace_path.string());
  }
}

NetworkNamespaceEntry::~NetworkNamespaceEntry() {
  ::setns(original_, CLONE_NEWNET);  // cannot fail for a namespace we were in
  ::close(original_);
}

}  // namespace paxoskv::nemesis

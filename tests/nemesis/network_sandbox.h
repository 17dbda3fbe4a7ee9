// Private network namespaces for the replicas of one run, created here and removed with it.
//
// A hub namespace holds a bridge; each replica has a namespace of its own with one veth
// link to the bridge and the address 10.77.0.<id>/24 (private, and existing only inside
// these namespaces). The hub has 10.77.0.254 on the bridge: the runner's clients work from
// there. Links between replicas are cut with nftables rules in each replica's namespace
// (packets dropped silently, as a broken switch does); client traffic from the hub is
// never cut. Nothing is added to the namespace the runner was started in.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace paxoskv::nemesis {

class NetworkSandbox {
 public:
  // Namespaces are named "<name>-hub" and "<name>-r<id>" for ids 1 to `replicas`; every
  // command run goes to `command_log`. Throws std::runtime_error (with the failing command
  // and its error) if one cannot be set up; what was made is removed again.
  NetworkSandbox(std::string name, std::size_t replicas, std::filesystem::path command_log);
  ~NetworkSandbox();
  NetworkSandbox(const NetworkSandbox&) = delete;
  NetworkSandbox& operator=(const NetworkSandbox&) = delete;

  std::string replica_address(int id) const;
  std::string replica_namespace(int id) const;
  std::filesystem::path hub_namespace_path() const;
  // The command prefix that runs a program inside replica `id`'s namespace.
  std::vector<std::string> run_inside(int id) const;

  // Replica `to` drops every packet from each replica in blocked[to]; replaces the rules
  // before (an empty map heals the network).
  void block(const std::map<int, std::set<int>>& blocked);
  void heal() { block({}); }

  // Removes the namespaces (and their links) of earlier runs whose process is gone.
  static void remove_leftovers(const std::filesystem::path& command_log);

 private:
  void create(std::size_t replicas);
  void remove() noexcept;
  void nft(int id, const std::string& script);

  std::string name_;
  std::filesystem::path command_log_;
  std::vector<int> ids_;
  std::vector<std::string> created_;  // namespaces, in creation order
};

// Moves the calling thread into a network namespace; back where it was when destroyed.
// Threads started meanwhile stay in the namespace they were started in.
class NetworkNamespaceEntry {
 public:
  explicit NetworkNamespaceEntry(const std::filesystem::path& namespace_path);
  ~NetworkNamespaceEntry();
  NetworkNamespaceEntry(const NetworkNamespaceEntry&) = delete;
  NetworkNamespaceEntry& operator=(const NetworkNamespaceEntry&) = delete;

 private:
  int original_ = -1;
};

}  // namespace paxoskv::nemesis

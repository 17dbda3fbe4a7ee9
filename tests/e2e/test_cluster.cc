#include "tests/e2e/test_cluster.h"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <exception>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "tests/e2e/free_port.h"
#include "tests/e2e/http_client.h"

namespace paxoskv::e2e {

namespace {

constexpr std::chrono::seconds kStartupLimit{15};

}  // namespace

std::filesystem::path paxoskv_binary() {
  if (const char* from_env = std::getenv("PAXOSKV_BINARY"); from_env && *from_env) {
    return from_env;
  }
  return PAXOSKV_DEFAULT_BINARY;
}

TestCluster::TestCluster(ClusterOptions options) : options_(std::move(options)) {
  const std::size_t all = options_.replicas + options_.spares;
  const auto ports = pick_free_ports(2 * all);
  for (std::size_t i = 0; i < all; ++i) {
    Replica& added = replicas_[static_cast<int>(i + 1)];
    added.client_port = ports[2 * i];
    added.peer_port = ports[2 * i + 1];
    if (i < options_.hosts.size()) added.host = options_.hosts[i];
  }
  try {
    for (const int id : ids()) start(id);
    // Tests start from a cluster whose peer links are all up, so that what they see does
    // not depend on how fast the links come up.
    for (const int id : ids()) {
      if (!wait_connected(id, kStartupLimit)) {
        throw std::runtime_error("replica " + std::to_string(id) + " never reached every peer");
      }
    }
  } catch (...) {
    print_logs();
    throw;
  }
}

TestCluster::~TestCluster() {
  // PAXOSKV_E2E_PRINT_LOGS=1 shows them after a CHECK failed, too (it throws nothing).
  const char* always = std::getenv("PAXOSKV_E2E_PRINT_LOGS");
  if (std::uncaught_exceptions() > 0 || (always && *always && *always != '0')) {
    print_logs(always ? 400 : 40);
  }
  for (auto& [id, replica] : replicas_) replica.process.reset();  // SIGKILL and reap
}

std::vector<int> TestCluster::ids() const {
  std::vector<int> founders;
  for (std::size_t id = 1; id <= options_.replicas; ++id) founders.push_back(static_cast<int>(id));
  return founders;
}

std::vector<int> TestCluster::spare_ids() const {
  std::vector<int> spares;
  for (std::size_t i = 1; i <= options_.spares; ++i) {
    spares.push_back(static_cast<int>(options_.replicas + i));
  }
  return spares;
}

std::string TestCluster::peer_address(int id) const {
  return host(id) + ":" + std::to_string(peer_port(id));
}

std::filesystem::path TestCluster::data_dir(int id) const {
  if (const auto elsewhere = options_.data_dirs.find(id); elsewhere != options_.data_dirs.end()) {
    return elsewhere->second;
  }
  const std::filesystem::path& root = options_.data_root.empty() ? dir_.path() : options_.data_root;
  return root / ("replica-" + std::to_string(id));
}

std::filesystem::path TestCluster::log_file(int id) const {
  return dir_.path() / ("replica-" + std::to_string(id) + ".log");
}

std::vector<std::string> TestCluster::command_line(
    int id, const std::vector<std::string>& extra_flags) const {
  const Replica& self = replica(id);
  std::string cluster;
  for (const int member : self.cluster_ids.empty() ? ids() : self.cluster_ids) {
    if (!cluster.empty()) cluster += ',';
    cluster += std::to_string(member) + "=" + peer_address(member);
  }
  std::vector<std::string> line = {
      paxoskv_binary().string(),
      "--id",
      std::to_string(id),
      "--data-dir",
      data_dir(id).string(),
      "--listen",
      self.host + ":" + std::to_string(self.client_port),
      "--peer-listen",
      self.host + ":" + std::to_string(self.peer_port),
      "--cluster",
      cluster,
      "--request-timeout",
      options_.request_timeout,
  };
  if (self.joins) line.push_back("--join");
  if (const auto& tls = options_.client_tls) {
    line.insert(line.end(), {"--cert-file", tls->cert_file, "--key-file", tls->key_file});
    if (!tls->trusted_ca_file.empty())
      line.insert(line.end(), {"--trusted-ca-file", tls->trusted_ca_file});
    if (tls->client_cert_auth) line.push_back("--client-cert-auth");
  }
  if (!options_.peer_tls_dir.empty()) {
    const std::filesystem::path& dir = options_.peer_tls_dir;
    const std::string name = "replica-" + std::to_string(id);
    line.insert(line.end(), {"--peer-cert-file", (dir / (name + ".pem")).string(),
                             "--peer-key-file", (dir / (name + ".key")).string(),
                             "--peer-trusted-ca-file", (dir / "ca.pem").string()});
  }
  if (options_.command_prefix) {
    const std::vector<std::string> prefix = options_.command_prefix(id);
    line.insert(line.begin(), prefix.begin(), prefix.end());
  }
  line.insert(line.end(), options_.extra_flags.begin(), options_.extra_flags.end());
  line.insert(line.end(), extra_flags.begin(), extra_flags.end());
  // For a failure being looked into: PAXOSKV_E2E_LOG_LEVEL=debug.
  if (const char* level = std::getenv("PAXOSKV_E2E_LOG_LEVEL"); level && *level) {
    line.insert(line.end(), {"--log-level", level});
  }
  return line;
}

void TestCluster::launch(int id, const std::vector<std::string>& extra_flags) {
  Replica& target = replica(id);
  if (target.process && target.process->running()) {
    throw std::logic_error("replica " + std::to_string(id) + " already runs");
  }
  {
    std::ofstream log(log_file(id), std::ios::app);
    log << "---- paxoskv-e2e: starting replica " << id << " ----" << std::endl;
  }
  ReplicaLaunch how{command_line(id, extra_flags), {}};
  if (options_.rewrite_launch) how = options_.rewrite_launch(id, std::move(how.argv));
  target.process.emplace(how.argv, log_file(id), how.environment);
  target.stopped_by_test = false;
}

std::optional<int> TestCluster::start_expecting_exit(int id, std::chrono::milliseconds limit) {
  launch(id, {});
  replica(id).stopped_by_test = true;
  const auto status = replica(id).process->wait_for_exit(limit);
  if (!status) replica(id).process->kill_and_reap();
  return status;
}

std::optional<int> TestCluster::wait_for_exit(int id, std::chrono::milliseconds limit) {
  Replica& target = replica(id);
  if (!target.process) return std::nullopt;
  const auto status = target.process->wait_for_exit(limit);
  if (status) target.stopped_by_test = true;  // seen by the test: no surprise
  return status;
}

void TestCluster::start(int id, const std::vector<std::string>& extra_flags) {
  launch(id, extra_flags);
  Replica& target = replica(id);
  if (!wait_healthy(id, kStartupLimit)) {
    const std::string how = target.process->running()
                                ? "did not answer /healthz in time"
                                : describe_wait_status(*target.process->wait_status());
    throw std::runtime_error("replica " + std::to_string(id) + " " + how + "; log:\n" +
                             log_tail(id));
  }
}

void TestCluster::start_joining(int id, const std::vector<int>& members) {
  Replica& target = replica(id);
  target.cluster_ids = members;
  if (std::find(members.begin(), members.end(), id) == members.end()) {
    target.cluster_ids.push_back(id);
  }
  target.joins = true;
  start(id);
}

HttpClient TestCluster::check_client(int id) const {
  constexpr std::chrono::milliseconds timeout(500);
  if (options_.client_tls)
    return HttpClient(host(id), client_port(id), options_.client_tls_checks, timeout);
  return HttpClient(host(id), client_port(id), timeout);
}

bool TestCluster::wait_healthy(int id, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  HttpClient client = check_client(id);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running(id)) return false;
    if (const auto response = client.get("/healthz"); response && response->status == 200) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool TestCluster::wait_connected(int id, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  HttpClient client = check_client(id);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running(id)) return false;
    if (const auto response = client.get("/v1/status"); response && response->status == 200) {
      const auto status = nlohmann::json::parse(response->body, nullptr, false);
      if (status.is_object() && status["members"].is_array() &&
          status["members"].size() == size() &&
          std::all_of(status["members"].begin(), status["members"].end(),
                      [](const auto& member) { return member.value("reachable", false); })) {
        return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void TestCluster::kill(int id) {
  Replica& target = replica(id);
  target.stopped_by_test = true;
  if (target.process) target.process->kill_and_reap();
}

void TestCluster::send_signal(int id, int signal) {
  if (replica(id).process) replica(id).process->send_signal(signal);
}

void TestCluster::pause(int id) {
  if (replica(id).process) replica(id).process->send_signal(SIGSTOP);
}

void TestCluster::resume(int id) {
  if (replica(id).process) replica(id).process->send_signal(SIGCONT);
}

void TestCluster::kill_all() {
  for (auto& [id, replica] : replicas_) {
    replica.stopped_by_test = true;
    if (replica.process) replica.process->send_signal(SIGKILL);
  }
  for (auto& [id, replica] : replicas_) {
    if (replica.process) replica.process->kill_and_reap();
  }
}

std::optional<int> TestCluster::terminate(int id, std::chrono::milliseconds limit) {
  Replica& target = replica(id);
  if (!target.process) return std::nullopt;
  target.stopped_by_test = true;
  target.process->send_signal(SIGTERM);
  const auto status = target.process->wait_for_exit(limit);
  if (!status) target.process->kill_and_reap();
  return status;
}

bool TestCluster::running(int id) {
  Replica& target = replica(id);
  return target.process && target.process->running();
}

std::string TestCluster::unexpected_exits() {
  std::string report;
  for (auto& [id, replica] : replicas_) {
    if (!replica.process || replica.stopped_by_test || replica.process->running()) continue;
    report += "replica " + std::to_string(id) + " " +
              describe_wait_status(*replica.process->wait_status()) + "; log:\n" + log_tail(id) +
              "\n";
  }
  return report;
}

std::string TestCluster::log_tail(int id, std::size_t lines) const {
  std::ifstream log(log_file(id));
  std::deque<std::string> tail;
  for (std::string line; std::getline(log, line);) {
    tail.push_back(std::move(line));
    if (tail.size() > lines) tail.pop_front();
  }
  std::string text;
  for (const std::string& line : tail) text += "  " + line + "\n";
  return text;
}

void TestCluster::print_logs(std::size_t lines) const {
  for (const auto& [id, replica] : replicas_) {
    if (!std::filesystem::exists(log_file(id))) continue;  // a spare never started
    std::cout << "---- last lines of replica " << id << "'s log (" << log_file(id).string()
              << ") ----\n"
              << log_tail(id, lines);
  }
  std::cout << std::flush;
}

}  // namespace paxoskv::e2e

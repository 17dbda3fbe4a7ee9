// A cluster of real paxoskv replica processes on loopback ports, in a temp dir of its own.
// Options place them elsewhere: each replica on an address of its own, started through a
// command prefix (e.g. one that enters a network namespace), with data dirs under a given
// root.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "paxoskv/tls.h"
#include "tests/e2e/child_process.h"
#include "tests/e2e/temp_dir.h"

namespace paxoskv::e2e {

class HttpClient;

// The replica binary: $PAXOSKV_BINARY, else the one meson built at the build root.
std::filesystem::path paxoskv_binary();

// How a replica process is started: its command line, and environment variables
// ("NAME=VALUE") added to the test's.
struct ReplicaLaunch {
  std::vector<std::string> argv;
  std::vector<std::string> environment;
};

struct ClusterOptions {
  std::size_t replicas = 3;
  std::string request_timeout = "2s";
  std::vector<std::string> extra_flags;  // passed to every replica
  // Replica i + 1 listens on hosts[i] (IPv4); empty: every replica on 127.0.0.1.
  std::vector<std::string> hosts;
  // What each replica's command line is prefixed with (argv[0] a path); none when empty.
  std::function<std::vector<std::string>(int id)> command_prefix;
  // Where the replicas' data dirs are (root/replica-<id>); empty: the cluster's temp dir.
  std::filesystem::path data_root;
  // A replica's data dir elsewhere than in the cluster's temp dir (say, on a small file
  // system the test mounted).
  std::map<int, std::filesystem::path> data_dirs;
  // Ids replicas + 1 to replicas + spares get ports and data dirs too, but are neither
  // started nor named in the founding --cluster: replicas a test adds to the cluster
  // (start_joining).
  std::size_t spares = 0;
  // Client TLS: every replica serves HTTPS with these files (--cert-file, --key-file,
  // --trusted-ca-file, --client-cert-auth); the cluster's own checks connect with
  // `client_tls_checks` (its CA, and a client certificate if the replicas ask for one).
  std::optional<TlsFiles> client_tls;
  TlsFiles client_tls_checks;
  // Set: replicas speak mutual TLS with each other, with the files in this directory:
  // ca.pem and replica-<id>.pem / replica-<id>.key (as TestPki makes them).
  std::filesystem::path peer_tls_dir;
  // Set: what replica `id` is started with instead of `argv` (the command line the cluster
  // made): a command line and "NAME=VALUE" environment variables, say to move flags into
  // the environment or a config file.
  std::function<ReplicaLaunch(int id, std::vector<std::string> argv)> rewrite_launch;
};

class TestCluster {
 public:
  // Starts every replica and waits until each answers /healthz and reports every member
  // reachable. Throws (with the log tails) if one does not.
  explicit TestCluster(ClusterOptions options = {});
  // Kills what still runs; if the scope is left by an exception (a failed REQUIRE), prints
  // the tail of every replica's log first.
  ~TestCluster();
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  // The founding replicas' ids: 1 to size().
  std::size_t size() const { return options_.replicas; }
  std::vector<int> ids() const;
  // The spare replicas' ids: size() + 1 onwards.
  std::vector<int> spare_ids() const;
  const std::string& host(int id) const { return replica(id).host; }
  std::uint16_t client_port(int id) const { return replica(id).client_port; }
  std::uint16_t peer_port(int id) const { return replica(id).peer_port; }
  // "host:port" of its peer endpoint, as --cluster and POST /v1/members name it.
  std::string peer_address(int id) const;
  std::filesystem::path data_dir(int id) const;
  std::filesystem::path log_file(int id) const;

  // Starts replica `id` (again) on its data dir and ports, with `extra_flags` for this start
  // only; waits for /healthz.
  // Replicas start with the founding --cluster, except one started by start_joining.
  void start(int id, const std::vector<std::string>& extra_flags = {});
  // Starts replica `id` with --join and a --cluster naming `members` and itself (the
  // cluster must have added it first); later starts of it keep both.
  void start_joining(int id, const std::vector<int>& members);
  // Starts replica `id` expecting it to exit by itself within `limit`: its wait status, or
  // nullopt if it still ran (then it is killed).
  std::optional<int> start_expecting_exit(int id, std::chrono::milliseconds limit);
  // Waits up to `limit` for replica `id` to exit by itself: its wait status, or nullopt.
  std::optional<int> wait_for_exit(int id, std::chrono::milliseconds limit);
  // kill -9, then reap.
  void kill(int id);
  // kill -9 to every running replica at once, then reap them.
  void kill_all();
  // Sends `signal` to replica `id`, if it runs.
  void send_signal(int id, int signal);
  // SIGSTOP / SIGCONT: the replica hangs with its connections open, then goes on.
  void pause(int id);
  void resume(int id);
  // SIGTERM; waits up to `limit` for the exit. Its wait status, or nullopt if it still ran
  // (then it is killed).
  std::optional<int> terminate(int id, std::chrono::milliseconds limit);
  bool running(int id);

  // Waits up to `limit` for replica `id` to answer /healthz with 200.
  bool wait_healthy(int id, std::chrono::milliseconds limit);
  // Waits up to `limit` until replica `id`'s /v1/status shows every member reachable.
  bool wait_connected(int id, std::chrono::milliseconds limit);
  // One line per replica that exited although the test did not stop it: how, and its log.
  std::string unexpected_exits();
  std::string log_tail(int id, std::size_t lines = 40) const;
  void print_logs(std::size_t lines = 40) const;

 private:
  struct Replica {
    std::string host = "127.0.0.1";
    std::uint16_t client_port = 0;
    std::uint16_t peer_port = 0;
    std::optional<ChildProcess> process;
    bool stopped_by_test = false;  // kill() or terminate(): its exit is no surprise
    // Set by start_joining: the ids its --cluster names (else the founders), and --join.
    std::vector<int> cluster_ids;
    bool joins = false;
  };
  const Replica& replica(int id) const { return replicas_.at(id); }
  Replica& replica(int id) { return replicas_.at(id); }
  std::vector<std::string> command_line(int id,
                                        const std::vector<std::string>& extra_flags = {}) const;
  void launch(int id, const std::vector<std::string>& extra_flags);
  // A client for the cluster's own checks of replica `id`.
  HttpClient check_client(int id) const;

  ClusterOptions options_;
  TempDir dir_;
  std::map<int, Replica> replicas_;
};

}  // namespace paxoskv::e2e

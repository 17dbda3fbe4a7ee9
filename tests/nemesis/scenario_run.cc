#include "tests/nemesis/scenario_run.h"

#include <unistd.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "http/client/answers.h"
#include "http/client/listing.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/kv_client.h"
#include "tests/e2e/recording_client.h"
#include "tests/e2e/test_cluster.h"
#include "tests/nemesis/fault_injector.h"
#include "tests/nemesis/nemeses.h"
#include "tests/nemesis/network_sandbox.h"
#include "tests/nemesis/tmpfs_mount.h"
#include "tests/support/linearizability.h"

namespace paxoskv::nemesis {

namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

constexpr milliseconds kConvergenceLimit = 10s;  // after the last heal and the clients' end
constexpr milliseconds kConvergenceWatch = 30s;  // how long a slow convergence is measured
constexpr milliseconds kProgressLimit = 10s;
constexpr milliseconds kClientTimeout = 8s;  // above the replicas' request timeout (5 s)
constexpr std::chrono::microseconds kClientPause{2000};  // bounds the load: ~1,500 ops/s
constexpr int kCheckClient = 1000;                       // the client id of the runner's own reads
const std::string kKeyPrefix = "n/";

milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

std::string seconds_text(milliseconds time) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(time.count()) / 1000.0);
  return text;
}

// A fresh dir "<work>/paxoskv-nemesis-<pid>-<n>".
std::filesystem::path make_run_dir(const std::filesystem::path& work_dir) {
  for (int n = 1;; ++n) {
    const auto dir =
        work_dir / ("paxoskv-nemesis-" + std::to_string(::getpid()) + "-" + std::to_string(n));
    if (std::filesystem::create_directory(dir)) return dir;
  }
}

struct KeyState {
  std::uint64_t version = 0;
  std::optional<std::string> value;
  bool operator==(const KeyState&) const = default;
};
using Listing = std::map<std::string, KeyState>;

// A replica's applied state of every key the run uses (a local read), or nullopt if it did
// not answer.
std::optional<Listing> local_listing(e2e::HttpClient& client) {
  Listing items;
  const auto fetch = [&](const std::string& target) -> std::optional<nlohmann::json> {
    const auto response = client.get(target);
    if (!response || response->status != 200) return std::nullopt;
    return nlohmann::json::parse(response->body, nullptr, false);
  };
  const auto visit = [&](const nlohmann::json& item) {
    KeyState state;
    state.version = item.value("version", std::uint64_t{0});
    try {
      state.value = http::client::bytes_field(item, "value");
    } catch (const http::client::MalformedAnswer&) {
      // Left without a value: the comparison of the listings shows it.
    }
    items[http::client::bytes_field(item, "key").value_or("")] = std::move(state);
  };
  try {
    if (!http::client::list_pages({kKeyPrefix, 10000, std::nullopt}, fetch, visit)) {
      return std::nullopt;
    }
  } catch (const http::client::MalformedAnswer&) {
    return std::nullopt;
  }
  return items;
}

// The first key on which two listings differ, described.
std::string first_difference(const Listing& a, int a_id, const Listing& b, int b_id) {
  std::set<std::string> keys;
  for (const auto& [key, state] : a) keys.insert(key);
  for (const auto& [key, state] : b) keys.insert(key);
  const auto show = [](const Listing& listing, const std::string& key) -> std::string {
    const auto found = listing.find(key);
    if (found == listing.end()) return "absent";
    return "v" + std::to_string(found->second.version) + " " +
           (found->second.value ? "\"" + *found->second.value + "\"" : "(no value)");
  };
  for (const std::string& key : keys) {
    if (show(a, key) != show(b, key)) {
      return key + ": replica " + std::to_string(a_id) + " has " + show(a, key) + ", replica " +
             std::to_string(b_id) + " has " + show(b, key);
    }
  }
  return "none";
}

// Waits until every replica's local listing is the same; the time from `heal` it took, or
// nullopt (with what differed last in `difference`).
std::optional<milliseconds> wait_for_convergence(e2e::TestCluster& cluster, Clock::time_point heal,
                                                 const StopRequest& stop, std::string& difference) {
  std::vector<std::unique_ptr<e2e::HttpClient>> clients;
  for (const int id : cluster.ids()) {
    clients.push_back(
        std::make_unique<e2e::HttpClient>(cluster.host(id), cluster.client_port(id), 2s));
  }
  while (true) {
    stop.check();
    std::vector<Listing> listings;
    bool all_answered = true;
    for (auto& client : clients) {
      auto listing = local_listing(*client);
      if (!listing) {
        all_answered = false;
        difference = "replica on " + client->host() + " did not list its keys";
        break;
      }
      listings.push_back(std::move(*listing));
    }
    if (all_answered) {
      bool same = true;
      for (std::size_t i = 1; i < listings.size() && same; ++i) {
        if (listings[i] != listings[0]) {
          same = false;
          difference =
              first_difference(listings[0], cluster.ids()[0], listings[i], cluster.ids()[i]);
        }
      }
      if (same) return since(heal);
    }
    if (since(heal) > kConvergenceWatch) return std::nullopt;
    std::this_thread::sleep_for(100ms);
  }
}

// Writes one key through any replica until one write is acknowledged; whether one was
// within kProgressLimit.
bool writes_possible(e2e::TestCluster& cluster, check::HistoryRecorder& recorder) {
  std::deque<e2e::RecordingClient> clients;
  for (const int id : cluster.ids()) {
    clients.emplace_back(kCheckClient, cluster.host(id), cluster.client_port(id), recorder,
                         kClientTimeout);
  }
  const auto began = Clock::now();
  for (std::size_t attempt = 0; since(began) < kProgressLimit; ++attempt) {
    auto& client = clients[attempt % clients.size()];
    if (client.put(kKeyPrefix + "probe", "after-heal-" + std::to_string(attempt)).status == 200) {
      return true;
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// Reads every acknowledged write back (linearizable reads, recorded): fresh keys must hold
// the value acknowledged, shared keys a version at least the highest acknowledged. The
// writes missing, described.
std::vector<std::string> find_lost_writes(e2e::TestCluster& cluster,
                                          const std::map<std::string, std::string>& fresh,
                                          check::HistoryRecorder& recorder) {
  std::deque<e2e::RecordingClient> clients;
  for (const int id : cluster.ids()) {
    clients.emplace_back(kCheckClient, cluster.host(id), cluster.client_port(id), recorder,
                         kClientTimeout);
  }
  std::size_t next = 0;
  // A read with no answer is tried on the other replicas before the write counts as lost.
  const auto read = [&](const std::string& key) {
    e2e::KvReply reply;
    for (std::size_t attempt = 0; attempt < 2 * clients.size(); ++attempt) {
      reply = clients[next++ % clients.size()].get(key);
      if (reply.result != check::OpResult::kUnknown) break;
    }
    return reply;
  };
  std::vector<std::string> lost;
  for (const auto& [key, value] : fresh) {
    const e2e::KvReply reply = read(key);
    if (reply.status != 200 || reply.value != value) {
      lost.push_back(key + " (acknowledged \"" + value + "\"): " + reply.describe());
    }
  }
  std::map<std::string, std::uint64_t> highest_acknowledged;
  for (const check::HistoryOp& op : recorder.history()) {
    if (op.kind == check::OpKind::kRead || op.result != check::OpResult::kOk) continue;
    if (fresh.count(op.key)) continue;
    auto& highest = highest_acknowledged[op.key];
    highest = std::max(highest, op.version);
  }
  for (const auto& [key, version] : highest_acknowledged) {
    const e2e::KvReply reply = read(key);
    if (reply.result == check::OpResult::kUnknown || reply.version < version) {
      lost.push_back(key + " (acknowledged up to v" + std::to_string(version) +
                     "): " + reply.describe());
    }
  }
  return lost;
}

// The planted stale read: a read that began after the write of its version was
// acknowledged is made to return the state before that write. What was changed, or
// nullopt if the history has no such read.
std::optional<std::string> plant_stale_read(std::vector<check::HistoryOp>& history) {
  using check::OpKind;
  using check::OpResult;
  for (check::HistoryOp& read : history) {
    if (read.kind != OpKind::kRead || read.result != OpResult::kOk || read.version < 2) continue;
    const auto acknowledged_before = [&](const check::HistoryOp& op) {
      return op.key == read.key && op.kind != OpKind::kRead && op.result == OpResult::kOk &&
             op.completed < read.invoked;
    };
    const auto writer = std::find_if(history.begin(), history.end(), [&](const auto& op) {
      return acknowledged_before(op) && op.version == read.version;
    });
    const auto older = std::find_if(history.begin(), history.end(), [&](const auto& op) {
      return acknowledged_before(op) && op.kind == OpKind::kPut && op.version < read.version;
    });
    if (writer == history.end() || older == history.end()) continue;
    const std::string before = check::describe(read);
    read.version = older->version;
    read.read_value = older->value;
    return before + "  became  " + check::describe(read);
  }
  return std::nullopt;
}

void copy_logs(const e2e::TestCluster& cluster, const std::filesystem::path& dir) {
  for (const int id : cluster.ids()) {
    std::error_code ignored;
    std::filesystem::copy_file(cluster.log_file(id),
                               dir / ("replica-" + std::to_string(id) + ".log"),
                               std::filesystem::copy_options::overwrite_existing, ignored);
  }
}

void print_report(const ScenarioReport& report, std::ostream& out) {
  const auto& work = report.workload;
  out << "ops: " << work.operations << " (writes: " << work.acknowledged_writes << " acknowledged, "
      << work.unknown_writes << " unknown, " << work.failed_writes
      << " failed with 507; reads: " << work.reads << ", " << work.unknown_reads << " unknown)\n";
  out << "faults:";
  if (report.faults.empty()) out << " none";
  for (const auto& [kind, count] : report.faults) out << " " << kind << " " << count;
  out << "\n";
  out << "linearizability: " << report.history_ops << " ops checked, " << report.states_explored
      << " states in " << report.check_time.count() << " ms: "
      << (report.linearizable ? (report.inconclusive ? "inconclusive" : "linearizable")
                              : "NOT linearizable")
      << "\n";
  out << "acknowledged writes lost: " << report.lost_writes.size() << " (of "
      << report.acknowledged_fresh << " fresh keys and every shared key read back)\n";
  out << "convergence: "
      << (report.convergence ? seconds_text(*report.convergence) + " after the last heal"
                             : std::string("NONE"))
      << "\n";
  for (const std::string& exit : report.replica_exits_on_full_disk) {
    out << "note: " << exit << "\n";
  }
  for (const std::string& violation : report.violations) out << "VIOLATION: " << violation << "\n";
  out << "verdict: " << (report.violations.empty() ? "OK" : "VIOLATIONS") << " ("
      << seconds_text(report.duration) << ")";
  if (!report.kept_dir.empty()) out << "; logs kept in " << report.kept_dir.string();
  out << std::endl;
}

}  // namespace

ScenarioReport run_scenario(const std::string& nemesis, std::size_t replicas, std::uint32_t seed,
                            const RunSettings& settings, const StopRequest& stop,
                            std::ostream& out) {
  const auto began = Clock::now();
  ScenarioReport report;
  report.nemesis = settings.plant == Plant::kWipeDataDir ? "plant-wipe-data-dir"
                   : settings.plant == Plant::kWipeAll   ? "plant-wipe-all"
                                                         : nemesis;
  report.replicas = replicas;
  report.seed = seed;
  out << "== " << report.nemesis << ", " << replicas << " replicas, seed " << seed << " ==\n";
  std::mt19937 random(seed);
  const auto run_dir = make_run_dir(settings.work_dir);
  bool keep = settings.keep;
  try {
    std::vector<std::unique_ptr<TmpfsMount>> disks;
    const auto data_root = run_dir / "data";
    std::filesystem::create_directories(data_root);
    for (std::size_t i = 1; i <= replicas; ++i) {
      disks.push_back(
          std::make_unique<TmpfsMount>(run_dir / "disks" / std::to_string(i), settings.disk_bytes));
      std::filesystem::create_directory_symlink(disks.back()->data_dir(),
                                                data_root / ("replica-" + std::to_string(i)));
    }
    NetworkSandbox network("pkvn" + std::to_string(::getpid()) + "-" + std::to_string(seed),
                           replicas, run_dir / "commands.log");
    const NetworkNamespaceEntry in_hub(network.hub_namespace_path());

    e2e::ClusterOptions cluster_options;
    cluster_options.replicas = replicas;
    cluster_options.request_timeout = "5s";  // the product's default
    for (std::size_t i = 1; i <= replicas; ++i) {
      cluster_options.hosts.push_back(network.replica_address(static_cast<int>(i)));
    }
    cluster_options.command_prefix = [&network](int id) { return network.run_inside(id); };
    cluster_options.data_root = data_root;
    e2e::TestCluster cluster(cluster_options);

    check::HistoryRecorder recorder;
    FaultInjector faults(cluster, network, disks, stop, out, began);
    e2e::WorkloadOptions workload_options;
    workload_options.clients = settings.clients;
    for (const int id : cluster.ids()) {
      workload_options.ports.push_back(cluster.client_port(id));
      workload_options.hosts.push_back(cluster.host(id));
    }
    for (int k = 0; k < 6; ++k)
      workload_options.shared_keys.push_back(kKeyPrefix + "s/k" + std::to_string(k));
    // Renewed keys keep each key's history small enough to check quickly; the planted lost
    // disk needs keys that live through it.
    workload_options.shared_key_lifetime = settings.plant == Plant::kWipeDataDir ? 0s : 5s;
    workload_options.fresh_key_prefix = kKeyPrefix + "f/";
    workload_options.fresh_write_share = 0.4;
    workload_options.seed = seed;
    workload_options.move_on_unavailable = true;
    workload_options.request_timeout = kClientTimeout;
    workload_options.pause_between_ops = kClientPause;

    Clock::time_point last_heal;
    std::map<std::string, std::string> fresh;
    {
      e2e::Workload workload(workload_options, recorder);
      faults.wait(1s);  // the clients get going
      if (settings.plant == Plant::kWipeDataDir) {
        run_wipe_data_dir(faults);
      } else if (settings.plant == Plant::kWipeAll) {
        run_wipe_all(faults);
      } else {
        run_nemesis(nemesis, faults, random, Clock::now() + settings.fault_time);
      }
      faults.heal_all();
      last_heal = faults.last_heal();
      workload.stop();
      report.workload = workload.stats();
      fresh = workload.acknowledged_fresh();
    }
    const auto clients_stopped = Clock::now();
    report.faults = faults.counts();
    out << "clients stopped " << seconds_text(since(last_heal)) << " after the last heal\n";

    std::string difference;
    report.convergence = wait_for_convergence(cluster, last_heal, stop, difference);
    // Replicas change until the clients stop: the limit counts from then when it is later.
    const auto clients_stop_lag = std::max(
        milliseconds(0), std::chrono::duration_cast<milliseconds>(clients_stopped - last_heal));
    const milliseconds allowed = kConvergenceLimit + clients_stop_lag;
    if (!report.convergence) {
      report.violations.push_back("replicas did not converge within " +
                                  seconds_text(kConvergenceWatch) +
                                  " of the last heal; a difference: " + difference);
    } else if (*report.convergence > allowed) {
      report.violations.push_back(
          "replicas converged only " + seconds_text(*report.convergence) +
          " after the last heal (" + seconds_text(*report.convergence - clients_stop_lag) +
          " after the clients stopped); the last difference seen: " + difference);
    }
    if (!writes_possible(cluster, recorder)) {
      report.violations.push_back("no write was acknowledged within " +
                                  seconds_text(kProgressLimit) + " of the checks' start");
    }
    report.acknowledged_fresh = fresh.size();
    report.lost_writes = find_lost_writes(cluster, fresh, recorder);
    faults.watch_exits();
    for (const ReplicaFinding& finding : faults.findings()) {
      if (finding.disk_full) {
        report.replica_exits_on_full_disk.push_back(finding.text);
      } else {
        report.violations.push_back(finding.text);
      }
    }

    auto history = recorder.history();
    if (settings.plant == Plant::kStaleRead) {
      const auto planted = plant_stale_read(history);
      out << "planted stale read: " << planted.value_or("no read qualified") << "\n";
    }
    const auto check_began = Clock::now();
    const check::CheckOutcome outcome = check::check_history(history);
    report.check_time = since(check_began);
    report.history_ops = history.size();
    report.states_explored = outcome.states_explored;
    report.linearizable = outcome.linearizable;
    report.inconclusive = outcome.inconclusive;
    if (!outcome.linearizable) {
      report.violations.push_back("history not linearizable:\n" + outcome.explanation);
    } else if (outcome.inconclusive) {
      out << "note: checker inconclusive on some keys:\n" << outcome.explanation << "\n";
    }
    if (!report.lost_writes.empty()) {
      std::string lines;
      for (std::size_t i = 0; i < report.lost_writes.size() && i < 10; ++i) {
        lines += "\n  " + report.lost_writes[i];
      }
      report.violations.push_back(std::to_string(report.lost_writes.size()) +
                                  " acknowledged writes lost, e.g.:" + lines);
    }
    for (const std::string& answer : report.workload.unexpected) {
      report.violations.push_back("an answer the API does not give: " + answer);
    }
    keep = keep || !report.violations.empty();
    if (keep) copy_logs(cluster, run_dir);
  } catch (...) {
    // Everything in it is unmounted and stopped by now.
    std::error_code ignored;
    std::filesystem::remove_all(run_dir, ignored);
    throw;
  }
  report.duration = since(began);
  std::error_code ignored;
  if (keep) {
    std::filesystem::remove_all(run_dir / "disks", ignored);
    std::filesystem::remove_all(run_dir / "data", ignored);
    report.kept_dir = run_dir;
  } else {
    std::filesystem::remove_all(run_dir, ignored);
  }
  print_report(report, out);
  return report;
}

}  // namespace paxoskv::nemesis

// paxoskv-nemesis: real faults against a real paxoskv cluster, with verdicts. See --help.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/nemesis/nemeses.h"
#include "tests/nemesis/network_sandbox.h"
#include "tests/nemesis/scenario_run.h"
#include "tests/nemesis/stop_request.h"
#include "tests/nemesis/tmpfs_mount.h"

namespace paxoskv::nemesis {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitViolations = 1;
constexpr int kExitUsage = 2;
constexpr int kExitSetup = 3;
constexpr int kExitInterrupted = 130;

std::string usage() {
  std::string text =
      "usage: paxoskv-nemesis [--nemesis NAME|all] [--replicas 3|5|both] [--seconds S]\n"
      "                       [--minutes M] [--seed N] [--clients C] [--plant KIND]\n"
      "                       [--keep] [--work-dir DIR]\n"
      "\n"
      "Runs real paxoskv replicas, each in a private network namespace with its data dir\n"
      "on a small tmpfs, while clients write, cas, delete and read, and a nemesis deals\n"
      "faults. After the heal it checks: the client history is linearizable, every\n"
      "acknowledged write is still there, the replicas' local states converge within 10 s,\n"
      "writes work again, and no replica exited on its own. Needs root.\n"
      "\n"
      "  --nemesis NAME|all  which nemesis (default all, one after another)\n"
      "  --replicas 3|5|both cluster size (default both: each nemesis at 3, then 5)\n"
      "  --seconds S         how long each nemesis deals faults (default 30)\n"
      "  --minutes M         soak: run the nemeses in rotation for M minutes, then a summary\n"
      "  --seed N            the first run's seed (fault schedule and workload); default random\n"
      "  --clients C         concurrent clients (default 4)\n"
      "  --plant KIND        plant a fault the checks must catch, once, at 3 replicas unless\n"
      "                      --replicas says otherwise:\n"
      "                        wipe-data-dir  a replica loses its disk and rejoins a majority\n"
      "                                       that never saw the writes it acknowledged\n"
      "                        wipe-all       every replica loses its disk at once\n"
      "                        stale-read     one recorded read answer is replaced by an older\n"
      "                                       state of its key before the check\n"
      "                      exit 0 if the violations were reported, 1 if they were missed\n"
      "  --keep              keep each run's dir (replica logs, commands) even when it passed\n"
      "  --work-dir DIR      where run dirs and tmpfs mounts go (default /tmp)\n"
      "\n"
      "nemeses:\n";
  for (const NemesisInfo& info : all_nemeses()) {
    text += "  " + info.name + std::string(20 - std::min<std::size_t>(19, info.name.size()), ' ') +
            info.summary + "\n";
  }
  text +=
      "\n"
      "exit status: 0 no violation, 1 violations, 2 usage, 3 the sandbox could not be set up,\n"
      "130 interrupted (SIGINT/SIGTERM: it heals, stops the replicas and removes its\n"
      "namespaces and mounts first).\n";
  return text;
}

struct Arguments {
  std::vector<std::string> nemeses;
  std::vector<std::size_t> replica_counts = {3, 5};
  bool replicas_given = false;
  std::optional<long> minutes;
  std::optional<std::uint32_t> seed;
  Plant plant = Plant::kNone;
  RunSettings settings;
};

long parse_number(const std::string& flag, const std::string& text, long low, long high) {
  long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    throw std::invalid_argument(flag + ": expected a number from " + std::to_string(low) + " to " +
                                std::to_string(high) + ", got '" + text + "'");
  }
  return value;
}

Arguments parse(int argc, char** argv) {
  Arguments arguments;
  std::string nemesis = "all";
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--nemesis") {
      nemesis = value();
    } else if (flag == "--replicas") {
      const std::string count = value();
      arguments.replicas_given = true;
      if (count == "both") {
        arguments.replica_counts = {3, 5};
      } else if (count == "3" || count == "5") {
        arguments.replica_counts = {static_cast<std::size_t>(count[0] - '0')};
      } else {
        throw std::invalid_argument("--replicas: 3, 5 or both");
      }
    } else if (flag == "--seconds") {
      arguments.settings.fault_time = std::chrono::seconds(parse_number(flag, value(), 1, 86400));
    } else if (flag == "--minutes") {
      arguments.minutes = parse_number(flag, value(), 1, 100000);
    } else if (flag == "--seed") {
      arguments.seed = static_cast<std::uint32_t>(parse_number(flag, value(), 0, 4294967295L));
    } else if (flag == "--clients") {
      arguments.settings.clients = static_cast<std::size_t>(parse_number(flag, value(), 1, 64));
    } else if (flag == "--plant") {
      const std::string kind = value();
      if (kind == "wipe-data-dir") {
        arguments.plant = Plant::kWipeDataDir;
      } else if (kind == "wipe-all") {
        arguments.plant = Plant::kWipeAll;
      } else if (kind == "stale-read") {
        arguments.plant = Plant::kStaleRead;
      } else {
        throw std::invalid_argument("--plant: wipe-data-dir, wipe-all or stale-read");
      }
    } else if (flag == "--keep") {
      arguments.settings.keep = true;
    } else if (flag == "--work-dir") {
      arguments.settings.work_dir = std::filesystem::absolute(value());
    } else {
      throw std::invalid_argument("unknown argument " + flag);
    }
  }
  if (nemesis == "all") {
    for (const NemesisInfo& info : all_nemeses()) arguments.nemeses.push_back(info.name);
  } else if (is_nemesis(nemesis)) {
    arguments.nemeses = {nemesis};
  } else {
    throw std::invalid_argument("unknown nemesis " + nemesis + " (see --help)");
  }
  if (arguments.plant != Plant::kNone) {
    if (arguments.minutes) throw std::invalid_argument("--plant runs once: no --minutes");
    if (!arguments.replicas_given) arguments.replica_counts = {3};
    arguments.nemeses.resize(1);
    if (arguments.plant == Plant::kStaleRead && nemesis == "all") {
      arguments.nemeses = {"partition-one"};
    }
    arguments.settings.plant = arguments.plant;
  }
  return arguments;
}

// Totals over every run, printed at the end.
class Summary {
 public:
  void add(const ScenarioReport& report) {
    ++runs_;
    operations_ += report.workload.operations;
    acknowledged_ += report.workload.acknowledged_writes;
    unknown_ += report.workload.unknown_writes;
    failed_ += report.workload.failed_writes;
    for (const auto& [kind, count] : report.faults) faults_[kind] += count;
    lost_ += report.lost_writes.size();
    full_disk_exits_ += report.replica_exits_on_full_disk.size();
    if (!report.linearizable) ++not_linearizable_;
    if (report.inconclusive) ++inconclusive_;
    if (report.convergence) convergence_.push_back(*report.convergence);
    longest_check_ = std::max(longest_check_, report.check_time);
    if (!report.violations.empty()) {
      failed_runs_.push_back(
          report.nemesis + " (" + std::to_string(report.replicas) + " replicas, seed " +
          std::to_string(report.seed) + "): " + std::to_string(report.violations.size()) +
          " violations" + (report.kept_dir.empty() ? "" : ", logs in " + report.kept_dir.string()));
    }
  }
  bool any_violation() const { return !failed_runs_.empty(); }

  void print(std::ostream& out, std::chrono::seconds elapsed) const {
    out << "\n==== summary: " << runs_ << " runs in " << elapsed.count() / 60 << " min "
        << elapsed.count() % 60 << " s ====\n";
    out << "ops: " << operations_ << " (writes acknowledged " << acknowledged_ << ", unknown "
        << unknown_ << ", failed with 507 " << failed_ << ")\n";
    out << "faults:";
    for (const auto& [kind, count] : faults_) out << " " << kind << " " << count;
    out << "\n";
    out << "not linearizable: " << not_linearizable_ << " runs; inconclusive: " << inconclusive_
        << " runs; longest check " << longest_check_.count() << " ms\n";
    out << "acknowledged writes lost: " << lost_ << "\n";
    if (!convergence_.empty()) {
      auto sorted = convergence_;
      std::sort(sorted.begin(), sorted.end());
      out << "convergence after the last heal: min " << sorted.front().count() << " ms, median "
          << sorted[sorted.size() / 2].count() << " ms, max " << sorted.back().count() << " ms ("
          << sorted.size() << " of " << runs_ << " runs converged)\n";
    }
    out << "replica exits on a full disk: " << full_disk_exits_ << "\n";
    out << "runs with violations: " << failed_runs_.size() << "\n";
    for (const std::string& run : failed_runs_) out << "  " << run << "\n";
    out << std::flush;
  }

 private:
  std::size_t runs_ = 0, operations_ = 0, acknowledged_ = 0, unknown_ = 0, failed_ = 0;
  std::size_t lost_ = 0, full_disk_exits_ = 0, not_linearizable_ = 0, inconclusive_ = 0;
  std::map<std::string, std::size_t> faults_;
  std::vector<std::chrono::milliseconds> convergence_;
  std::chrono::milliseconds longest_check_{0};
  std::vector<std::string> failed_runs_;
};

int run(int argc, char** argv) {
  const StopRequest stop;  // first: every thread started later has the signals blocked
  Arguments arguments;
  try {
    for (int i = 1; i < argc; ++i) {
      if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
        std::cout << usage();
        return kExitOk;
      }
    }
    arguments = parse(argc, argv);
  } catch (const std::invalid_argument& error) {
    std::cerr << "paxoskv-nemesis: " << error.what() << "\n" << usage();
    return kExitUsage;
  }
  if (::geteuid() != 0) {
    std::cerr << "paxoskv-nemesis: needs root (network namespaces, tmpfs mounts)\n";
    return kExitSetup;
  }
  const std::uint32_t first_seed = arguments.seed.value_or(std::random_device{}());
  const auto leftovers_log = arguments.settings.work_dir / "paxoskv-nemesis-leftovers.log";
  NetworkSandbox::remove_leftovers(leftovers_log);
  TmpfsMount::remove_leftovers(arguments.settings.work_dir);

  // (nemesis, replicas) pairs in rotation.
  std::vector<std::pair<std::string, std::size_t>> rotation;
  for (const std::string& nemesis : arguments.nemeses) {
    for (const std::size_t replicas : arguments.replica_counts)
      rotation.emplace_back(nemesis, replicas);
  }
  const auto began = Clock::now();
  const auto soak_end = arguments.minutes ? began + std::chrono::minutes(*arguments.minutes)
                                          : Clock::time_point::max();
  Summary summary;
  try {
    for (std::size_t run = 0;; ++run) {
      if (arguments.minutes ? Clock::now() >= soak_end : run >= rotation.size()) break;
      const auto& [nemesis, replicas] = rotation[run % rotation.size()];
      const auto report =
          run_scenario(nemesis, replicas, first_seed + static_cast<std::uint32_t>(run),
                       arguments.settings, stop, std::cout);
      summary.add(report);
      std::cout << std::endl;
    }
  } catch (const Interrupted&) {
    summary.print(std::cout,
                  std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - began));
    std::cout << "interrupted" << std::endl;
    return kExitInterrupted;
  } catch (const std::exception& error) {
    summary.print(std::cout,
                  std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - began));
    std::cerr << "paxoskv-nemesis: cannot run: " << error.what() << std::endl;
    return kExitSetup;
  }
  summary.print(std::cout, std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - began));
  if (arguments.plant != Plant::kNone) {
    std::cout << "planted fault: " << (summary.any_violation() ? "caught" : "NOT caught")
              << std::endl;
    return summary.any_violation() ? kExitOk : kExitViolations;
  }
  return summary.any_violation() ? kExitViolations : kExitOk;
}

}  // namespace
}  // namespace paxoskv::nemesis

int main(int argc, char** argv) {
  return paxoskv::nemesis::run(argc, argv);
}

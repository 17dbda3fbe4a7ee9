// paxoskv-bench: the load-test tool. See `paxoskv-bench --help`.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "etcd_protocol.h"
#include "interrupt_watch.h"
#include "load_run.h"
#include "null_responder.h"
#include "options.h"
#include "paxoskv_protocol.h"
#include "progress_line.h"
#include "report.h"
#include "run_plot.h"

namespace {

using namespace paxoskv::bench;

std::unique_ptr<Protocol> make_protocol(const Options& options) {
  if (options.target == Target::etcd) return std::make_unique<EtcdProtocol>();
  return std::make_unique<PaxoskvProtocol>(options.token);
}

// Writes every key once, untimed, so that reads find values and not 404s.
// False when interrupted.
bool preload(const Options& options, const Protocol& protocol, InterruptWatch& interrupt) {
  Options writes = options;
  writes.workload = Workload::put;
  writes.key_distribution = KeyDistribution::sequential;
  writes.requests = options.keys;
  writes.rate.reset();
  writes.warmup = std::chrono::nanoseconds(0);
  writes.conns = std::max(options.conns, 16);  // a 1-connection run need not preload slowly
  writes.threads = std::min(writes.threads, writes.conns);
  ProgressLine progress("preload", options.progress);
  const RunResult result = run_load(writes, protocol, progress, interrupt);
  if (result.interrupted) return false;
  std::fprintf(stderr, "preloaded %llu keys in %.2fs (%llu errors)\n",
               static_cast<unsigned long long>(result.stats.ops),
               std::chrono::duration<double>(result.measured).count(),
               static_cast<unsigned long long>(result.stats.error_count()));
  return true;
}

// Grants the leases a lease-keepalive run renews, untimed. False when interrupted.
bool grant_leases(Options& options, const Protocol& protocol, InterruptWatch& interrupt) {
  Options grants = options;
  grants.workload = Workload::lease_grant;
  grants.requests = options.leases;
  grants.rate.reset();
  grants.warmup = std::chrono::nanoseconds(0);
  grants.conns = std::max(options.conns, 16);
  grants.threads = std::min(grants.threads, grants.conns);
  ProgressLine progress("granting leases", options.progress);
  RunResult result = run_load(grants, protocol, progress, interrupt);
  if (result.interrupted) return false;
  std::fprintf(stderr, "granted %zu leases in %.2fs (%llu errors)\n", result.granted_leases.size(),
               std::chrono::duration<double>(result.measured).count(),
               static_cast<unsigned long long>(result.stats.error_count()));
  if (result.granted_leases.empty()) throw std::runtime_error("no lease could be granted");
  options.lease_ids = std::move(result.granted_leases);
  return true;
}

// One measured run of `options.workload`, its summary printed and, with --plot, its
// section of the plot added to `sections`. 0, 1 (nothing succeeded) or 130 (interrupted).
int measure(Options& options, const Protocol& protocol, InterruptWatch& interrupt,
            std::vector<PlotSection>& sections) {
  if (options.workload == Workload::lease_keepalive && options.lease_ids.empty() &&
      !grant_leases(options, protocol, interrupt)) {
    return 130;
  }
  ProgressLine progress(to_string(options.workload), options.progress);
  const RunResult result = run_load(options, protocol, progress, interrupt);
  if (result.interrupted) std::fprintf(stderr, "interrupted: the summary covers the run so far\n");
  if (options.json) {
    std::cout << summary_json(options, result).dump() << std::endl;
  } else {
    print_summary(std::cout, options, result);
  }
  if (!options.plot_path.empty()) sections.push_back(plot_section(options, result));
  if (result.stats.ops == 0) {
    std::fprintf(stderr, "paxoskv-bench: no %s succeeded\n",
                 std::string(to_string(options.workload)).c_str());
    return 1;
  }
  return result.interrupted ? 130 : 0;
}

// The --plot file: opened before the run, so that a path that cannot be written fails
// at once, and written when the runs are over (interrupted ones included).
class PlotFile {
 public:
  explicit PlotFile(const std::string& path) : path_(path) {
    if (path_.empty()) return;
    out_.open(path_, std::ios::trunc);
    if (!out_) throw std::runtime_error("--plot: cannot write " + path_);
  }

  void write(const std::vector<PlotSection>& sections) {
    if (path_.empty()) return;
    out_ << run_plot_svg(sections);
    out_.close();
    if (!out_) throw std::runtime_error("--plot: cannot write " + path_);
    std::fprintf(stderr, "plot written to %s\n", path_.c_str());
  }

 private:
  std::string path_;
  std::ofstream out_;
};

int run(Options options) {
  // First, before any thread starts, so that every thread leaves the signals to it.
  InterruptWatch interrupt;
  PlotFile plot(options.plot_path);
  std::vector<PlotSection> sections;
  // Declared before the run so that it outlives the run that drives it.
  std::optional<NullResponder> responder;
  if (options.self_test) {
    responder.emplace();
    options.endpoints = {Endpoint{"127.0.0.1", responder->port(), false}};
  }
  const auto protocol = make_protocol(options);
  if (options.preload && options.workload != Workload::put &&
      !preload(options, *protocol, interrupt)) {
    return 130;
  }

  if (!options.lease_suite) {
    const int status = measure(options, *protocol, interrupt, sections);
    plot.write(sections);
    return status;
  }
  // The lease suite: grants, keepalives, hand-offs, each measured on its own (and drawn
  // as a section of one plot).
  int status = 0;
  for (const Workload workload :
       {Workload::lease_grant, Workload::lease_keepalive, Workload::lock_handoff}) {
    options.workload = workload;
    const int run_status = measure(options, *protocol, interrupt, sections);
    status = std::max(status, run_status);
    if (run_status == 130) break;
  }
  plot.write(sections);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto options = parse_options(argc, argv);
    if (!options) return 0;
    return run(*options);
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr, "paxoskv-bench: %s\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "paxoskv-bench: %s\n", error.what());
    return 1;
  }
}

#include "report.h"

#include <cstdio>
#include <ostream>
#include <sstream>
#include <string>

namespace paxoskv::bench {
namespace {

double seconds(std::chrono::nanoseconds span) {
  return std::chrono::duration<double>(span).count();
}

double ops_per_second(const RunResult& result) {
  const double span = seconds(result.measured);
  return span > 0 ? static_cast<double>(result.stats.ops) / span : 0.0;
}

double micros(std::uint64_t nanos) {
  return static_cast<double>(nanos) / 1e3;
}

// 850us, 12.3ms, 1.20s: three significant digits in a unit that suits the value.
std::string format_latency(std::uint64_t nanos) {
  char text[32];
  const double value = static_cast<double>(nanos);
  if (value < 1e6) {
    std::snprintf(text, sizeof text, "%.0fus", value / 1e3);
  } else if (value < 1e9) {
    std::snprintf(text, sizeof text, "%.2fms", value / 1e6);
  } else {
    std::snprintf(text, sizeof text, "%.2fs", value / 1e9);
  }
  return text;
}

std::string loop_description(const Options& options) {
  if (!options.rate) return "closed loop";
  char text[64];
  std::snprintf(text, sizeof text, "open loop at %.0f req/s", *options.rate);
  return text;
}

}  // namespace

std::string describe_run(const Options& options) {
  char line[64];
  std::string what(to_string(options.workload));
  if (options.local_reads && options.workload != Workload::put) what += " (local reads)";
  if (options.workload == Workload::mixed) {
    std::snprintf(line, sizeof line, " %.0f%% reads", options.read_ratio * 100);
    what += line;
  }
  const std::string target(options.self_test ? "the built-in null responder"
                                             : to_string(options.target));
  std::ostringstream out;
  out << what << " on " << target << ": " << options.conns << " connections over "
      << options.endpoints.size() << " endpoint(s), " << options.threads << " thread(s), "
      << loop_description(options) << "; ";
  if (options.workload == Workload::lease_keepalive) {
    out << options.lease_ids.size() << " leases";
  } else if (options.workload == Workload::lock_handoff) {
    out << options.keys << (options.keys == 1 ? " lock" : " locks");
  } else if (options.workload == Workload::lease_grant) {
    out << "leases of " << options.lease_ttl.count() << " ms";
  } else {
    out << options.keys << " keys " << to_string(options.key_distribution) << ", "
        << options.value_size << "-byte values";
  }
  return out.str();
}

PlotSection plot_section(const Options& options, const RunResult& result) {
  const Histogram& latency = result.stats.latency;
  char line[256];
  std::snprintf(
      line, sizeof line,
      "%llu ops in %.2fs = %.1f ops/s, %llu errors; latency p50 %s  p99 %s  p99.9 %s  max %s%s",
      static_cast<unsigned long long>(result.stats.ops), seconds(result.measured),
      ops_per_second(result), static_cast<unsigned long long>(result.stats.error_count()),
      format_latency(latency.percentile(0.50)).c_str(),
      format_latency(latency.percentile(0.99)).c_str(),
      format_latency(latency.percentile(0.999)).c_str(), format_latency(latency.max()).c_str(),
      options.rate ? " (from the scheduled send times)" : "");
  return PlotSection{describe_run(options), line, rates(result.stats.timeline, result.measured),
                     percentile_curve(latency)};
}

nlohmann::json summary_json(const Options& options, const RunResult& result) {
  const Stats& stats = result.stats;
  const Histogram& latency = stats.latency;
  nlohmann::json errors_by_kind = nlohmann::json::object();
  for (const auto& [kind, count] : stats.errors) errors_by_kind[kind] = count;
  nlohmann::json summary = {
      {"target", options.self_test ? "self-test" : to_string(options.target)},
      {"workload", to_string(options.workload)},
      {"local_reads", options.local_reads},
      {"conns", options.conns},
      {"threads", options.threads},
      {"endpoints", options.endpoints.size()},
      {"keys", options.keys},
      {"key_dist", to_string(options.key_distribution)},
      {"value_size", options.value_size},
      {"loop", options.rate ? "open" : "closed"},
      {"duration_s", seconds(result.measured)},
      {"ops", stats.ops},
      {"ops_per_sec", ops_per_second(result)},
      {"errors", stats.error_count()},
      {"errors_by_kind", errors_by_kind},
      {"conflicts", stats.conflicts},
      {"not_found", stats.not_found},
      {"latency_us",
       {{"p50", micros(latency.percentile(0.50))},
        {"p90", micros(latency.percentile(0.90))},
        {"p99", micros(latency.percentile(0.99))},
        {"p99.9", micros(latency.percentile(0.999))},
        {"max", micros(latency.max())},
        {"mean", latency.mean() / 1e3}}},
  };
  if (options.rate) summary["rate"] = *options.rate;
  if (options.workload == Workload::mixed) {
    summary["read_ratio"] = options.read_ratio;
    summary["reads"] = stats.reads;
  }
  return summary;
}

void print_summary(std::ostream& out, const Options& options, const RunResult& result) {
  const Stats& stats = result.stats;
  const Histogram& latency = stats.latency;
  char line[256];

  out << describe_run(options) << "\n";

  std::snprintf(line, sizeof line, "  ops        %llu in %.2fs = %.1f ops/s\n",
                static_cast<unsigned long long>(stats.ops), seconds(result.measured),
                ops_per_second(result));
  out << line;
  out << "  errors     " << stats.error_count();
  if (!stats.errors.empty()) {
    out << " (";
    bool first = true;
    for (const auto& [kind, count] : stats.errors) {
      out << (first ? "" : ", ") << kind << ": " << count;
      first = false;
    }
    out << ")";
  }
  out << "\n";
  if (options.workload == Workload::cas) out << "  conflicts  " << stats.conflicts << "\n";
  if (options.workload != Workload::put && !is_lease_workload(options.workload)) {
    out << "  not found  " << stats.not_found << "\n";
  }
  if (options.workload == Workload::mixed) out << "  reads      " << stats.reads << "\n";
  out << "  latency    p50 " << format_latency(latency.percentile(0.50)) << "  p90 "
      << format_latency(latency.percentile(0.90)) << "  p99 "
      << format_latency(latency.percentile(0.99)) << "  p99.9 "
      << format_latency(latency.percentile(0.999)) << "  max " << format_latency(latency.max())
      << (options.rate ? "  (from the scheduled send times)" : "") << "\n";
}

}  // namespace paxoskv::bench

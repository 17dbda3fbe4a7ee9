#include "options.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <functional>
#include <iostream>
#include <map>
#include <stdexcept>

#include "http/client/endpoint.h"
#include "http/encoding/duration.h"

namespace paxoskv::bench {
namespace {

constexpr std::string_view kUsage = R"(usage: paxoskv-bench WORKLOAD [flags]

Load-tests a paxoskv cluster (or etcd, for comparison) over HTTP and reports
throughput, errors and latency percentiles.

Workloads:
  put                   write random keys
  get                   linearizable reads (--local: consistency=local reads)
  mixed                 reads with probability --read-ratio, writes otherwise
  cas                   contended counter: read a key's version, then write it back
                        only if unchanged; lost races are counted as conflicts
  delete                delete keys (--key-dist sequential deletes each once);
                        deletes of absent keys count as "not found"
  lease                 paxoskv's leases: lease-grant, lease-keepalive and
                        lock-handoff in turn, each measured for --duration
  lease-grant           grant leases of --lease-ttl
  lease-keepalive       keep --leases leases alive (granted first, untimed): each
                        request renews one, picked at random
  lock-handoff          connections contend for --keys locks (default 1): each
                        takes a lock (a put only-if-absent, attached to its
                        lease), waiting while it is held, then releases it; one
                        operation is one hand-off

Flags:
  --endpoints H:P,...   servers; connections are spread round-robin over them
                        (default 127.0.0.1:8001, etcd: 127.0.0.1:2379);
                        https://H:P for HTTPS, http://H:P for plain HTTP
  --cacert FILE         HTTPS: the CA that signed the servers' certificates
                        (default: the system's); a certificate must name its host
  --cert F, --key F     HTTPS: this client's certificate and key, for servers
                        that ask for one (any of these three makes HTTPS the
                        default)
  --target T            paxoskv (default) or etcd (its v3 JSON gateway)
  --token T             paxoskv with authentication on: sent as "Authorization:
                        Bearer T" (a readwrite token for --key-prefix, or admin)
  --conns N             connections, each with one request in flight (default 16)
  --threads N           client threads, each with its own event loop (default 1)
  --keys N              key space (default 1000; cas: 10)
  --key-dist D          uniform (default), zipf (s=0.99) or sequential
  --zipf-s S            the zipf exponent (default 0.99)
  --key-prefix P        key names are P followed by a number (default bench/)
  --value-size B        value bytes (default 100)
  --local               reads at consistency=local (etcd: serializable)
  --read-ratio R        share of reads in the mixed workload (default 0.9)
  --duration D          how long to measure (default 10s; D is like 500ms, 5s, 1m,
                        1.5m or 1m30s; a bare number is seconds)
  --requests N          measure N requests instead of a duration
  --rate R              open loop: R requests/s in total on a fixed schedule; latency
                        counts from the scheduled send time, so stalls are not hidden
                        (default: closed loop, each connection sends when answered)
  --warmup D            load before measuring, not counted (default 1s)
  --timeout D           a request without an answer by then is an error (default 5s)
  --leases N            lease-keepalive: how many leases (default 10000)
  --lease-ttl D         the TTL of the leases granted (default 60s)
  --preload             write every key once before a get, mixed or cas run
  --json                print the summary as one JSON object on stdout
  --plot FILE.svg       after the run, draw it in FILE.svg: throughput over time (the
                        measured part, no warmup) and latency by percentile, HDR-style
                        (0 to 99.999 %); the lease suite draws its three runs in one
                        file, a section each
  --no-progress         no live progress line (it is shown only on a terminal)
  --seed N              random seed (default 1)
  --self-test           measure the tool itself against a trivial in-process responder
  --help                this text
)";

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return parts;
}

template <typename Number>
Number parse_number(std::string_view flag, std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    throw std::invalid_argument(std::string(flag) + ": not a number: '" + std::string(text) + "'");
  }
  return value;
}

std::uint64_t parse_positive(std::string_view flag, std::string_view text) {
  const auto value = parse_number<std::uint64_t>(flag, text);
  if (value == 0) throw std::invalid_argument(std::string(flag) + " must be at least 1");
  return value;
}

// The shared duration syntax (http/encoding/duration.h): 250ms, 5s, 1.5m, 1h, 1m30s; a bare
// number is seconds.
std::chrono::nanoseconds parse_duration(std::string_view flag, std::string_view text) {
  const auto duration = http::parse_duration(text);
  if (!duration) {
    throw std::invalid_argument(std::string(flag) + ": bad duration '" + std::string(text) +
                                "': expected " + std::string(http::kDurationSyntax));
  }
  return *duration;
}

Endpoint parse_endpoint(std::string_view text, bool https_by_default) {
  const bool https = http::client::take_scheme(text, https_by_default);
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    throw std::invalid_argument("--endpoints: expected HOST:PORT, got '" + std::string(text) + "'");
  }
  const auto port = parse_number<std::uint16_t>("--endpoints", text.substr(colon + 1));
  if (port == 0) throw std::invalid_argument("--endpoints: port 0 in '" + std::string(text) + "'");
  return Endpoint{std::string(text.substr(0, colon)), port, https};
}

template <typename Enum, std::size_t N>
Enum parse_choice(std::string_view flag, std::string_view text, const Enum (&choices)[N]) {
  for (const Enum choice : choices) {
    if (to_string(choice) == text) return choice;
  }
  throw std::invalid_argument(std::string(flag) + ": unknown value '" + std::string(text) + "'");
}

}  // namespace

std::string_view usage() {
  return kUsage;
}

std::string_view to_string(Target target) {
  switch (target) {
    case Target::paxoskv:
      return "paxoskv";
    case Target::etcd:
      return "etcd";
  }
  return "?";
}

std::string_view to_string(Workload workload) {
  switch (workload) {
    case Workload::put:
      return "put";
    case Workload::get:
      return "get";
    case Workload::mixed:
      return "mixed";
    case Workload::cas:
      return "cas";
    case Workload::del:
      return "delete";
    case Workload::lease_grant:
      return "lease-grant";
    case Workload::lease_keepalive:
      return "lease-keepalive";
    case Workload::lock_handoff:
      return "lock-handoff";
  }
  return "?";
}

std::string_view to_string(KeyDistribution distribution) {
  switch (distribution) {
    case KeyDistribution::uniform:
      return "uniform";
    case KeyDistribution::zipf:
      return "zipf";
    case KeyDistribution::sequential:
      return "sequential";
  }
  return "?";
}

bool is_lease_workload(Workload workload) {
  return workload == Workload::lease_grant || workload == Workload::lease_keepalive ||
         workload == Workload::lock_handoff;
}

namespace {

// A workload's name; "lease" is the suite of the three lease workloads.
void set_workload(Options& options, std::string_view what, std::string_view name) {
  if (name == "lease") {
    options.workload = Workload::lease_grant;
    options.lease_suite = true;
    return;
  }
  options.workload =
      parse_choice(what, name,
                   {Workload::put, Workload::get, Workload::mixed, Workload::cas, Workload::del,
                    Workload::lease_grant, Workload::lease_keepalive, Workload::lock_handoff});
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  bool have_keys = false;
  std::string endpoints_text;

  // CLI11 reads the line (--flag value, --flag=value, the workload anywhere); the values
  // are checked below, flag by flag.
  CLI::App app;
  app.set_help_flag("-h,--help");
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // last wins
  std::map<std::string, std::string, std::less<>> values;
  std::string positional_workload;
  app.add_option("workload", positional_workload);
  for (const char* flag :
       {"--workload",   "--target",     "--endpoints",  "--token",     "--cacert",   "--cert",
        "--key",        "--conns",      "--threads",    "--keys",      "--key-dist", "--zipf-s",
        "--key-prefix", "--value-size", "--read-ratio", "--duration",  "--requests", "--rate",
        "--warmup",     "--timeout",    "--leases",     "--lease-ttl", "--seed",     "--plot"}) {
    app.add_option(flag, values[flag]);
  }
  for (const char* flag : {"--local", "--preload", "--json", "--no-progress", "--self-test"}) {
    app.add_flag(flag)->disable_flag_override();
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << kUsage;
    return std::nullopt;
  } catch (const CLI::ParseError& error) {
    throw std::invalid_argument(std::string(error.what()) + " (see --help)");
  }
  const auto given = [&](std::string_view flag) {
    return app.get_option(std::string(flag))->count() > 0;
  };
  // The value of a flag given on the line, or nullopt.
  const auto value = [&](std::string_view flag) -> std::optional<std::string_view> {
    if (!given(flag)) return std::nullopt;
    return values.find(flag)->second;
  };

  if (app.get_option("workload")->count() > 0) {
    set_workload(options, "workload", positional_workload);
  }
  if (const auto v = value("--workload")) {
    set_workload(options, "--workload", *v);
  }
  if (const auto v = value("--target")) {
    options.target = parse_choice("--target", *v, {Target::paxoskv, Target::etcd});
  }
  if (const auto v = value("--endpoints")) endpoints_text = *v;
  if (const auto v = value("--token")) options.token = *v;
  if (const auto v = value("--cacert")) options.tls.trusted_ca_file = *v;
  if (const auto v = value("--cert")) options.tls.cert_file = *v;
  if (const auto v = value("--key")) options.tls.key_file = *v;
  if (const auto v = value("--conns")) {
    options.conns = static_cast<int>(parse_positive("--conns", *v));
  }
  if (const auto v = value("--threads")) {
    options.threads = static_cast<int>(parse_positive("--threads", *v));
  }
  if (const auto v = value("--keys")) {
    options.keys = parse_positive("--keys", *v);
    have_keys = true;
  }
  if (const auto v = value("--key-dist")) {
    options.key_distribution = parse_choice(
        "--key-dist", *v,
        {KeyDistribution::uniform, KeyDistribution::zipf, KeyDistribution::sequential});
  }
  if (const auto v = value("--zipf-s")) {
    options.zipf_exponent = parse_number<double>("--zipf-s", *v);
    if (!(options.zipf_exponent > 0)) throw std::invalid_argument("--zipf-s must be positive");
  }
  if (const auto v = value("--key-prefix")) options.key_prefix = *v;
  if (const auto v = value("--value-size")) {
    options.value_size = parse_number<std::size_t>("--value-size", *v);
  }
  if (given("--local")) options.local_reads = true;
  if (const auto v = value("--read-ratio")) {
    options.read_ratio = parse_number<double>("--read-ratio", *v);
    if (!(options.read_ratio >= 0 && options.read_ratio <= 1)) {
      throw std::invalid_argument("--read-ratio must be between 0 and 1");
    }
  }
  if (const auto v = value("--duration")) {
    options.duration = parse_duration("--duration", *v);
    if (options.duration.count() == 0) throw std::invalid_argument("--duration must be positive");
  }
  if (const auto v = value("--requests")) options.requests = parse_positive("--requests", *v);
  if (const auto v = value("--rate")) {
    options.rate = parse_number<double>("--rate", *v);
    if (!(*options.rate > 0)) throw std::invalid_argument("--rate must be positive");
  }
  if (const auto v = value("--warmup")) options.warmup = parse_duration("--warmup", *v);
  if (const auto v = value("--timeout")) {
    options.timeout = parse_duration("--timeout", *v);
    if (options.timeout.count() == 0) throw std::invalid_argument("--timeout must be positive");
  }
  if (const auto v = value("--leases")) options.leases = parse_positive("--leases", *v);
  if (const auto v = value("--lease-ttl")) {
    options.lease_ttl =
        std::chrono::duration_cast<std::chrono::milliseconds>(parse_duration("--lease-ttl", *v));
    if (options.lease_ttl < std::chrono::seconds(1) || options.lease_ttl > std::chrono::hours(1)) {
      throw std::invalid_argument("--lease-ttl must be from 1s to 1h");
    }
  }
  if (given("--preload")) options.preload = true;
  if (given("--json")) options.json = true;
  if (const auto v = value("--plot")) {
    if (v->empty()) throw std::invalid_argument("--plot: expected a file name");
    options.plot_path = *v;
  }
  if (given("--no-progress")) options.progress = false;
  if (const auto v = value("--seed")) options.seed = parse_number<std::uint64_t>("--seed", *v);
  if (given("--self-test")) options.self_test = true;

  if (!have_keys && options.workload == Workload::cas) options.keys = 10;  // contention
  if (is_lease_workload(options.workload)) {
    if (options.target == Target::etcd) {
      throw std::invalid_argument("the lease workloads are paxoskv's (etcd's leases are gRPC)");
    }
    if (!have_keys) options.keys = 1;  // lock-handoff: one lock, every connection after it
  }
  if (endpoints_text.empty()) {
    endpoints_text = options.target == Target::etcd ? "127.0.0.1:2379" : "127.0.0.1:8001";
  }
  if (options.tls.cert_file.empty() != options.tls.key_file.empty()) {
    throw std::invalid_argument("--cert and --key go together");
  }
  const bool https = options.tls.enabled() || !options.tls.trusted_ca_file.empty();
  for (const std::string_view part : split(endpoints_text, ',')) {
    if (!part.empty()) options.endpoints.push_back(parse_endpoint(part, https));
  }
  if (options.endpoints.empty()) throw std::invalid_argument("--endpoints: none given");
  if (options.threads > options.conns) options.threads = options.conns;  // idle threads help nobody
  return options;
}

}  // namespace paxoskv::bench

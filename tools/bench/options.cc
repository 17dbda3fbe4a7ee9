#include "options.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <iostream>
#include <stdexcept>

#include "http/client/endpoint.h"

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
  --duration D          how long to measure (default 10s; D is like 500ms, 5s, 1m)
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

// 250ms, 5s, 1.5m, 1h; a bare number is seconds.
std::chrono::nanoseconds parse_duration(std::string_view flag, std::string_view text) {
  struct Unit {
    std::string_view suffix;
    double nanos;
  };
  static constexpr Unit kUnits[] = {{"ns", 1},  {"us", 1e3}, {"ms", 1e6},
                                    {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  double scale = 1e9;
  std::string_view number = text;
  for (const Unit& unit : kUnits) {
    if (text.size() > unit.suffix.size() && text.ends_with(unit.suffix)) {
      const std::string_view rest = text.substr(0, text.size() - unit.suffix.size());
      // "ms" also ends with "s": take the unit only when what is left is a number.
      if (!rest.empty() &&
          (std::isdigit(static_cast<unsigned char>(rest.back())) || rest.back() == '.')) {
        number = rest;
        scale = unit.nanos;
        break;
      }
    }
  }
  const double value = parse_number<double>(flag, number);
  if (!(value >= 0) || !std::isfinite(value)) {
    throw std::invalid_argument(std::string(flag) + ": bad duration '" + std::string(text) + "'");
  }
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(value * scale)));
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
                   {Workload::put, Workload::get, Workload::mixed, Workload::cas,
                    Workload::lease_grant, Workload::lease_keepalive, Workload::lock_handoff});
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  bool have_workload = false;
  bool have_keys = false;
  std::string_view endpoints_text;

  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!arg.starts_with("--")) {
      if (have_workload)
        throw std::invalid_argument("unexpected argument '" + std::string(arg) + "'");
      set_workload(options, "workload", arg);
      have_workload = true;
      continue;
    }
    // --flag=value or --flag value.
    std::string_view flag = arg;
    std::optional<std::string_view> inline_value;
    if (const std::size_t eq = arg.find('='); eq != std::string_view::npos) {
      flag = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    auto value = [&]() -> std::string_view {
      if (inline_value) return *inline_value;
      if (i + 1 >= argc) throw std::invalid_argument(std::string(flag) + " needs a value");
      return argv[++i];
    };

    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return std::nullopt;
    } else if (flag == "--workload") {
      set_workload(options, "--workload", value());
      have_workload = true;
    } else if (flag == "--target") {
      options.target = parse_choice("--target", value(), {Target::paxoskv, Target::etcd});
    } else if (flag == "--endpoints") {
      endpoints_text = value();
    } else if (flag == "--token") {
      options.token = value();
    } else if (flag == "--cacert") {
      options.tls.trusted_ca_file = value();
    } else if (flag == "--cert") {
      options.tls.cert_file = value();
    } else if (flag == "--key") {
      options.tls.key_file = value();
    } else if (flag == "--conns") {
      options.conns = static_cast<int>(parse_positive("--conns", value()));
    } else if (flag == "--threads") {
      options.threads = static_cast<int>(parse_positive("--threads", value()));
    } else if (flag == "--keys") {
      options.keys = parse_positive("--keys", value());
      have_keys = true;
    } else if (flag == "--key-dist") {
      options.key_distribution = parse_choice(
          "--key-dist", value(),
          {KeyDistribution::uniform, KeyDistribution::zipf, KeyDistribution::sequential});
    } else if (flag == "--zipf-s") {
      options.zipf_exponent = parse_number<double>("--zipf-s", value());
      if (!(options.zipf_exponent > 0)) throw std::invalid_argument("--zipf-s must be positive");
    } else if (flag == "--key-prefix") {
      options.key_prefix = value();
    } else if (flag == "--value-size") {
      options.value_size = parse_number<std::size_t>("--value-size", value());
    } else if (flag == "--local") {
      options.local_reads = true;
    } else if (flag == "--read-ratio") {
      options.read_ratio = parse_number<double>("--read-ratio", value());
      if (!(options.read_ratio >= 0 && options.read_ratio <= 1)) {
        throw std::invalid_argument("--read-ratio must be between 0 and 1");
      }
    } else if (flag == "--duration") {
      options.duration = parse_duration("--duration", value());
      if (options.duration.count() == 0) throw std::invalid_argument("--duration must be positive");
    } else if (flag == "--requests") {
      options.requests = parse_positive("--requests", value());
    } else if (flag == "--rate") {
      options.rate = parse_number<double>("--rate", value());
      if (!(*options.rate > 0)) throw std::invalid_argument("--rate must be positive");
    } else if (flag == "--warmup") {
      options.warmup = parse_duration("--warmup", value());
    } else if (flag == "--timeout") {
      options.timeout = parse_duration("--timeout", value());
      if (options.timeout.count() == 0) throw std::invalid_argument("--timeout must be positive");
    } else if (flag == "--leases") {
      options.leases = parse_positive("--leases", value());
    } else if (flag == "--lease-ttl") {
      options.lease_ttl = std::chrono::duration_cast<std::chrono::milliseconds>(
          parse_duration("--lease-ttl", value()));
      if (options.lease_ttl < std::chrono::seconds(1) ||
          options.lease_ttl > std::chrono::hours(1)) {
        throw std::invalid_argument("--lease-ttl must be from 1s to 1h");
      }
    } else if (flag == "--preload") {
      options.preload = true;
    } else if (flag == "--json") {
      options.json = true;
    } else if (flag == "--no-progress") {
      options.progress = false;
    } else if (flag == "--seed") {
      options.seed = parse_number<std::uint64_t>("--seed", value());
    } else if (flag == "--self-test") {
      options.self_test = true;
    } else {
      throw std::invalid_argument("unknown flag " + std::string(flag) + " (see --help)");
    }
    if (inline_value && (flag == "--local" || flag == "--preload" || flag == "--json" ||
                         flag == "--self-test" || flag == "--no-progress")) {
      throw std::invalid_argument(std::string(flag) + " takes no value");
    }
  }

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

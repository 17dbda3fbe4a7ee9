#include "load_run.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <cmath>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http_connection.h"
#include "json_scan.h"
#include "key_space.h"
#include "lease_requests.h"
#include "src/tls/tls_context.h"

namespace paxoskv::bench {
namespace {

namespace asio = boost::asio;
using std::chrono::nanoseconds;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// After a refused connect, wait before trying again rather than spin.
constexpr auto kReconnectPause = std::chrono::milliseconds(20);

// The run's clock and limits, read by every thread.
struct Schedule {
  Clock::time_point start;
  Clock::time_point measure_from;  // end of the warmup
  Clock::time_point stop_at;       // the end of a timed run; max() for a counted one
  std::optional<std::uint64_t> request_limit;
  std::atomic<std::uint64_t> requests_claimed{0};
  std::atomic<std::uint64_t> key_sequence{0};
};

// What the system under test is sent, shared read-only by every connection.
struct Destination {
  std::vector<asio::ip::tcp::endpoint> endpoints;
  std::vector<Endpoint> named;  // as given: the host a certificate must name, https or not
  std::vector<std::string> host_headers;
  std::shared_ptr<asio::ssl::context> tls;  // for the https endpoints
  std::string value;
};

struct Attempt {
  ExchangeStatus status = ExchangeStatus::answered;
  Outcome outcome = Outcome::failed;
  unsigned http_status = 0;
  bool read = false;
};

// One connection's reusable state.
struct Slot {
  Slot(const asio::any_io_executor& executor, const Destination& target, std::size_t endpoint,
       int index)
      : connection(executor, target.endpoints[endpoint], target.named[endpoint].host,
                   target.named[endpoint].https ? target.tls : nullptr),
        host(target.host_headers[endpoint]),
        index(index) {}

  HttpConnection connection;
  std::string_view host;
  int index;
  RequestText request;
  std::string key;
  std::string counter;  // the cas workload's new value
  std::string lease;    // lock-handoff: this connection's lease
};

// One client thread: its event loop, its connections, its counts.
class Worker {
 public:
  Worker(const Options& options, const Protocol& protocol, const Destination& target,
         Schedule& schedule, LiveCounters& live, int thread_index)
      : options_(options),
        protocol_(protocol),
        target_(target),
        schedule_(schedule),
        live_(live),
        io_(1),
        random_(options.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(thread_index)),
        keys_(options, schedule.key_sequence),
        leases_(options.token),
        ttl_text_(std::to_string(options.lease_ttl.count()) + "ms") {
    for (int index = thread_index; index < options.conns; index += options.threads) {
      const auto endpoint = static_cast<std::size_t>(index) % target.endpoints.size();
      slots_.push_back(std::make_unique<Slot>(io_.get_executor(), target, endpoint, index));
    }
    for (const auto& slot : slots_) {
      asio::co_spawn(io_, drive(*slot), asio::detached);
    }
  }

  void run() { io_.run(); }
  void stop() { io_.stop(); }  // thread-safe; in-flight requests are abandoned
  const Stats& stats() const { return stats_; }
  Clock::time_point last_answer() const { return last_answer_; }
  std::vector<std::string>& granted() { return granted_; }

 private:
  asio::awaitable<Attempt> perform_lease(Slot& slot, Clock::time_point timeout_at);
  asio::awaitable<Attempt> perform_handoff(Slot& slot, Clock::time_point timeout_at);
  asio::awaitable<void> drive(Slot& slot);
  asio::awaitable<Attempt> perform(Slot& slot, Clock::time_point timeout_at);
  asio::awaitable<Attempt> exchange(Slot& slot, Clock::time_point timeout_at);
  void count(const Attempt& attempt, Clock::time_point intended, Clock::time_point answered);

  const Options& options_;
  const Protocol& protocol_;
  const Destination& target_;
  Schedule& schedule_;
  LiveCounters& live_;
  asio::io_context io_;
  std::mt19937_64 random_;
  KeySpace keys_;
  std::vector<std::unique_ptr<Slot>> slots_;
  Stats stats_;
  Clock::time_point last_answer_{};
  LeaseRequests leases_;
  std::string ttl_text_;
  std::vector<std::string> granted_;
};

asio::awaitable<void> Worker::drive(Slot& slot) {
  asio::steady_timer timer(io_);
  std::uint64_t sent = 0;
  for (;;) {
    Clock::time_point intended;
    if (options_.rate) {
      // Connection i sends arrivals i, i + conns, i + 2*conns, ... of the global schedule.
      const double arrival = static_cast<double>(static_cast<std::uint64_t>(slot.index) +
                                                 sent * static_cast<std::uint64_t>(options_.conns));
      intended = schedule_.start + nanoseconds(std::llround(arrival * 1e9 / *options_.rate));
      ++sent;
      if (intended >= schedule_.stop_at) break;
      if (intended > Clock::now()) {
        timer.expires_at(intended);
        co_await timer.async_wait(kNoThrow);
      }
    } else {
      intended = Clock::now();
      if (intended >= schedule_.stop_at) break;
    }

    const bool measured = intended >= schedule_.measure_from;
    if (measured && schedule_.request_limit &&
        schedule_.requests_claimed.fetch_add(1, std::memory_order_relaxed) >=
            *schedule_.request_limit) {
      break;
    }

    const Attempt attempt = co_await perform(slot, Clock::now() + options_.timeout);
    if (attempt.status == ExchangeStatus::stopped) break;
    const Clock::time_point answered = Clock::now();
    if (attempt.status == ExchangeStatus::answered && attempt.outcome != Outcome::failed) {
      live_.answered.fetch_add(1, std::memory_order_relaxed);
    } else {
      live_.errors.fetch_add(1, std::memory_order_relaxed);
    }
    if (measured) count(attempt, intended, answered);

    if (attempt.status == ExchangeStatus::connect_failed) {
      timer.expires_at(std::min(answered + kReconnectPause, schedule_.stop_at));
      co_await timer.async_wait(kNoThrow);
    }
  }
}

asio::awaitable<Attempt> Worker::exchange(Slot& slot, Clock::time_point timeout_at) {
  const auto status =
      co_await slot.connection.exchange(slot.request.buffers(), timeout_at, schedule_.stop_at);
  Attempt attempt;
  attempt.status = status;
  if (status == ExchangeStatus::answered) attempt.http_status = slot.connection.reply().status;
  co_return attempt;
}

asio::awaitable<Attempt> Worker::perform_lease(Slot& slot, Clock::time_point timeout_at) {
  if (options_.workload == Workload::lock_handoff)
    co_return co_await perform_handoff(slot, timeout_at);
  if (options_.workload == Workload::lease_grant) {
    leases_.format_grant(slot.request, slot.host, ttl_text_);
  } else {
    std::uniform_int_distribution<std::size_t> pick(0, options_.lease_ids.size() - 1);
    leases_.format_keepalive(slot.request, slot.host, options_.lease_ids[pick(random_)]);
  }
  Attempt attempt = co_await exchange(slot, timeout_at);
  if (attempt.status != ExchangeStatus::answered) co_return attempt;
  const Reply reply = slot.connection.reply();
  if (options_.workload == Workload::lease_keepalive) {
    attempt.outcome = reply.status == 200 ? Outcome::ok : Outcome::failed;
    co_return attempt;
  }
  std::optional<std::string> id = LeaseRequests::granted_id(reply);
  attempt.outcome = id ? Outcome::ok : Outcome::failed;
  if (id) granted_.push_back(std::move(*id));
  co_return attempt;
}

// One hand-off: take the lock (waiting while another holds it), then release it.
asio::awaitable<Attempt> Worker::perform_handoff(Slot& slot, Clock::time_point timeout_at) {
  Attempt attempt;
  if (slot.lease.empty()) {
    leases_.format_grant(slot.request, slot.host, ttl_text_);
    attempt = co_await exchange(slot, timeout_at);
    if (attempt.status != ExchangeStatus::answered) co_return attempt;
    std::optional<std::string> id = LeaseRequests::granted_id(slot.connection.reply());
    if (!id) co_return attempt;  // failed
    slot.lease = std::move(*id);
  }
  while (true) {
    leases_.format_take(slot.request, slot.host, slot.key, slot.lease);
    attempt = co_await exchange(slot, timeout_at);
    if (attempt.status != ExchangeStatus::answered) co_return attempt;
    const Reply taken = slot.connection.reply();
    const std::optional<std::uint64_t> version = find_json_uint(taken.body, "version");
    if (taken.status == 200 && version) {
      leases_.format_release(slot.request, slot.host, slot.key, *version);
      attempt = co_await exchange(slot, timeout_at);
      if (attempt.status == ExchangeStatus::answered) {
        attempt.outcome = slot.connection.reply().status == 200 ? Outcome::ok : Outcome::failed;
      }
      co_return attempt;
    }
    if (taken.status != 409 || !version) co_return attempt;  // failed
    // Held: wait for the holder to let go (or a second), then try again.
    leases_.format_wait(slot.request, slot.host, slot.key, *version);
    attempt = co_await exchange(slot, timeout_at);
    if (attempt.status != ExchangeStatus::answered) co_return attempt;
    if (Clock::now() >= schedule_.stop_at) co_return attempt;
  }
}

asio::awaitable<Attempt> Worker::perform(Slot& slot, Clock::time_point timeout_at) {
  keys_.name(keys_.pick(random_), slot.key);
  if (is_lease_workload(options_.workload)) co_return co_await perform_lease(slot, timeout_at);
  const bool local = options_.local_reads;

  bool read = options_.workload == Workload::get;
  if (options_.workload == Workload::mixed) {
    read = std::uniform_real_distribution<double>(0.0, 1.0)(random_) < options_.read_ratio;
  }

  if (options_.workload == Workload::del) {
    protocol_.format_delete(slot.request, slot.host, slot.key);
    Attempt attempt = co_await exchange(slot, timeout_at);
    if (attempt.status == ExchangeStatus::answered) {
      attempt.outcome = protocol_.delete_outcome(slot.connection.reply());
    }
    co_return attempt;
  }

  if (options_.workload != Workload::cas) {
    if (read) {
      protocol_.format_get(slot.request, slot.host, slot.key, local);
    } else {
      protocol_.format_put(slot.request, slot.host, slot.key, target_.value);
    }
    Attempt attempt = co_await exchange(slot, timeout_at);
    attempt.read = read;
    if (attempt.status == ExchangeStatus::answered) {
      const Reply reply = slot.connection.reply();
      attempt.outcome = read ? protocol_.get_outcome(reply).outcome : protocol_.put_outcome(reply);
    }
    co_return attempt;
  }

  // cas: read the version, then write version + 1 as the counter's new value only if
  // nobody else wrote in between.
  protocol_.format_get(slot.request, slot.host, slot.key, local);
  Attempt attempt = co_await exchange(slot, timeout_at);
  if (attempt.status != ExchangeStatus::answered) co_return attempt;
  const ReadResult current = protocol_.get_outcome(slot.connection.reply());
  if (current.outcome == Outcome::failed) co_return attempt;  // outcome stays failed

  slot.counter.clear();
  append_number(slot.counter, current.version + 1);
  protocol_.format_cas(slot.request, slot.host, slot.key, current.version, slot.counter);
  attempt = co_await exchange(slot, timeout_at);
  if (attempt.status == ExchangeStatus::answered) {
    attempt.outcome = protocol_.cas_outcome(slot.connection.reply());
  }
  co_return attempt;
}

void Worker::count(const Attempt& attempt, Clock::time_point intended, Clock::time_point answered) {
  switch (attempt.status) {
    case ExchangeStatus::answered:
      break;
    case ExchangeStatus::connect_failed:
      stats_.add_error("connect");
      return;
    case ExchangeStatus::timed_out:
      stats_.add_error("timeout");
      return;
    case ExchangeStatus::broken:
      stats_.add_error("connection");
      return;
    case ExchangeStatus::stopped:
      return;
  }
  if (attempt.outcome == Outcome::failed) {
    if (attempt.http_status == 200) {
      stats_.add_error("unexpected answer");
    } else {
      char kind[16] = "http ";
      const auto [end, error] = std::to_chars(kind + 5, kind + sizeof kind, attempt.http_status);
      stats_.add_error(std::string_view(kind, static_cast<std::size_t>(end - kind)));
    }
    return;
  }
  ++stats_.ops;
  if (attempt.read) ++stats_.reads;
  if (attempt.outcome == Outcome::not_found) ++stats_.not_found;
  if (attempt.outcome == Outcome::conflict) ++stats_.conflicts;
  stats_.latency.record(answered - intended);
  stats_.timeline.record(answered - schedule_.measure_from);
  last_answer_ = std::max(last_answer_, answered);
}

Destination resolve_target(const Options& options) {
  Destination target;
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  for (const Endpoint& endpoint : options.endpoints) {
    boost::system::error_code error;
    const auto results = resolver.resolve(endpoint.host, std::to_string(endpoint.port), error);
    if (error || results.empty()) {
      throw std::runtime_error("cannot resolve " + endpoint.host_header() + ": " + error.message());
    }
    target.endpoints.push_back(results.begin()->endpoint());
    target.named.push_back(endpoint);
    target.host_headers.push_back(endpoint.host_header());
    if (endpoint.https && !target.tls) target.tls = tls::make_client_context(options.tls);
  }
  // Printable bytes, so that a paxoskv read returns it as "value" and not base64.
  target.value.resize(options.value_size);
  for (std::size_t i = 0; i < target.value.size(); ++i) {
    target.value[i] = static_cast<char>('a' + i % 26);
  }
  return target;
}

}  // namespace

RunResult run_load(const Options& options, const Protocol& protocol, ProgressLine& progress,
                   InterruptWatch& interrupt) {
  const Destination target = resolve_target(options);
  LiveCounters live;
  Schedule schedule;
  schedule.start = Clock::now();
  schedule.measure_from = schedule.start + options.warmup;
  schedule.request_limit = options.requests;
  schedule.stop_at =
      options.requests ? Clock::time_point::max() : schedule.measure_from + options.duration;

  std::vector<std::unique_ptr<Worker>> workers;
  for (int thread = 0; thread < options.threads; ++thread) {
    workers.push_back(std::make_unique<Worker>(options, protocol, target, schedule, live, thread));
  }

  RunResult result;
  Clock::time_point interrupted_at{};
  std::atomic<int> running{options.threads};
  {
    std::vector<std::jthread> threads;
    for (const auto& worker : workers) {
      threads.emplace_back([&worker, &running] {
        worker->run();
        running.fetch_sub(1);
      });
    }
    // This thread only watches: once a second, the progress line; on a signal, the stop.
    auto next_tick = schedule.start + std::chrono::seconds(1);
    while (running.load() > 0) {
      if (!result.interrupted && interrupt.wait(std::chrono::milliseconds(20))) {
        result.interrupted = true;
        interrupted_at = Clock::now();
        for (const auto& worker : workers) worker->stop();
      }
      const auto now = Clock::now();
      if (now >= next_tick) {
        progress.update(now - schedule.start, live.answered.load(), live.errors.load());
        next_tick += std::chrono::seconds(1);
      }
    }
  }  // joins
  progress.clear();

  Clock::time_point last_answer{};
  for (const auto& worker : workers) {
    result.stats.merge(worker->stats());
    std::move(worker->granted().begin(), worker->granted().end(),
              std::back_inserter(result.granted_leases));
    last_answer = std::max(last_answer, worker->last_answer());
  }
  const Clock::time_point end =
      options.requests
          ? last_answer
          : (result.interrupted ? std::min(interrupted_at, schedule.stop_at) : schedule.stop_at);
  result.measured = std::max(nanoseconds(0), end - schedule.measure_from);
  return result;
}

}  // namespace paxoskv::bench

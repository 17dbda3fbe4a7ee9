#include "src/replica.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <random>
#include <utility>

#include "src/cluster_identity.h"
#include "src/disk_failure_marker.h"
#include "src/founding_check.h"

namespace paxoskv {

namespace {

constexpr std::chrono::milliseconds kTickInterval{10};
// How often the founding check looks at the peers' answers.
constexpr std::chrono::milliseconds kFoundingPollInterval{10};

// Nothing may go on once a durable write failed (see WriteQueue's failure handler).
consensus::CoreConfig core_config(const Options& options, const kvstore::Store& store) {
  consensus::CoreConfig config;
  config.self = options.id;
  config.incarnation = store.incarnation();
  config.request_timeout_ms = static_cast<consensus::TimeMs>(options.request_timeout.count());
  if (!options.join) {
    for (const auto& [id, address] : options.cluster)
      config.founding_members.push_back({id, address});
  }
  config.seed = std::random_device{}();
  return config;
}

std::map<consensus::NodeId, std::string> peers_of(const Options& options) {
  std::map<consensus::NodeId, std::string> peers = options.cluster;
  peers.erase(options.id);
  return peers;
}

std::vector<consensus::NodeId> members_of(const Options& options) {
  std::vector<consensus::NodeId> members;
  for (const auto& [id, address] : options.cluster) members.push_back(id);
  return members;
}

std::string listen_address_of(const Options& options) {
  if (!options.peer_listen.empty()) return options.peer_listen;
  return options.cluster.at(options.id);
}

Errc errc_of(consensus::Outcome outcome) {
  switch (outcome) {
    case consensus::Outcome::kOk:
      return Errc::ok;
    case consensus::Outcome::kNotFound:
      return Errc::not_found;
    case consensus::Outcome::kConflict:
      return Errc::conflict;
    case consensus::Outcome::kNoQuorum:
    case consensus::Outcome::kUnknown:
      return Errc::no_quorum;
  }
  return Errc::no_quorum;
}

Result result_of(const consensus::Completion& completion, bool is_read) {
  const Errc code = errc_of(completion.outcome);
  if (code != Errc::ok) {
    return Result::failure(code, completion.version,
                           completion.outcome == consensus::Outcome::kUnknown
                               ? "no quorum: the key changed concurrently and the outcome of "
                                 "this write is unknown"
                               : "");
  }
  Result result{Errc::ok, completion.version, std::nullopt, {}};
  if (is_read) result.value = completion.value;
  return result;
}

// Anti-entropy's pulls and answers leave through the peer transport.
AntiEntropy::Peers peers_through(PeerTransport& transport) {
  return AntiEntropy::Peers{
      .reachable = [&transport](consensus::NodeId peer) { return transport.reachable(peer); },
      .ask = [&transport](
                 consensus::NodeId to,
                 const anti_entropy::SyncRequest& request) { transport.send(to, request); },
      .answer = [&transport](consensus::NodeId to,
                             const anti_entropy::SyncReply& reply) { transport.send(to, reply); },
  };
}

}  // namespace

Replica::Replica(boost::asio::io_context& io, const Options& options,
                 const kvstore::StoreOptions& store_options)
    : io_(io),
      options_(options),
      store_(options.data_dir, kvstore::StoreIdentity{options.id, cluster_fingerprint(options)},
             store_options),
      free_space_(options.data_dir, options.disk_reserve_bytes),
      core_(core_config(options, store_), store_),
      transport_(io, options.id, cluster_fingerprint(options), peers_of(options),
                 listen_address_of(options),
                 [this](consensus::NodeId from, PeerMessage message) {
                   on_peer_message(from, std::move(message));
                 }),
      waiters_(io, store_, [this](const std::string& key) { return read_local(key); }),
      anti_entropy_(io, options.id, members_of(options), store_, peers_through(transport_),
                    [this](consensus::NodeId from, consensus::CatchUpReply state) {
                      core_.receive(from, std::move(state));
                    }),
      tick_timer_(io),
      founding_timer_(io),
      writes_(
          io, store_, [this](std::uint64_t seq) { on_durable(seq); },
          [this](const std::string& what) {
            note_write_failure(what);
            boost::asio::post(io_, [this, what] { on_disk_failure(what); });
          }) {}

// Nothing may leave without being durable, and the core's memory is now ahead of the
// disk: the replica stops. A disk that was only full lost nothing written before (see
// Store::failed_for_lack_of_space): a restart once space is freed resumes. Otherwise what
// the disk holds is unknown: the marker keeps the replica stopped.
void Replica::note_write_failure(const std::string& what) {
  if (store_.failed_for_lack_of_space()) {
    spdlog::critical(
        "replica {}: data dir {} is full, a write could not be made; stopping (start again "
        "once space is freed): {}",
        options_.id, options_.data_dir, what);
    return;
  }
  spdlog::critical(
      "replica {}: a write to data dir {} failed; stopping for good (a restart needs "
      "--allow-after-disk-failure): {}",
      options_.id, options_.data_dir, what);
  write_disk_failure_marker(options_.data_dir, options_.id, what);
}

// A write made on the replica's own thread, in the middle of handling a message or a
// step of the start: nothing after it may run.
void Replica::stop_on_write_failure(const std::exception& error) {
  note_write_failure(error.what());
  std::abort();
}

Replica::~Replica() = default;

void Replica::start(StartedCallback started) {
  anti_entropy_.load_cursors();
  const std::vector<consensus::NodeId> known = store_.known_peers();
  known_peers_.insert(known.begin(), known.end());
  transport_.answer_hellos_with(
      [this](consensus::NodeId peer) { return known_peers_.contains(peer); });
  transport_.start();
  spdlog::info("replica {} serving peers on {}, data in {} (change index {})", options_.id,
               listen_address_of(options_), options_.data_dir, store_.index());
  if (!store_.founding_check_pending()) {
    begin_serving();
    started(std::nullopt);
    return;
  }
  spdlog::info(
      "replica {}: new data dir: asking every peer whether it knows id {} before "
      "taking part",
      options_.id, options_.id);
  on_started_ = std::move(started);
  founding_deadline_ = std::chrono::steady_clock::now() + kFoundingCheckLimit;
  check_founding();
}

void Replica::check_founding() {
  if (stopped_) return;
  std::map<consensus::NodeId, HelloAnswer> answers;
  for (const auto& [id, address] : options_.cluster) {
    if (id != options_.id) answers[id] = transport_.hello_answer(id);
  }
  const FoundingVerdict verdict =
      judge_founding(answers, std::chrono::steady_clock::now() >= founding_deadline_);
  switch (verdict.kind) {
    case FoundingVerdict::Kind::kWaiting:
      founding_timer_.expires_after(kFoundingPollInterval);
      founding_timer_.async_wait([this](boost::system::error_code error) {
        if (!error) check_founding();
      });
      return;
    case FoundingVerdict::Kind::kRefuse: {
      std::string message = lost_data_message(options_.id, options_.data_dir, verdict.knowing);
      spdlog::critical("{}", message);
      std::exchange(on_started_, nullptr)(std::move(message));
      return;
    }
    case FoundingVerdict::Kind::kFound:
      try {
        store_.pass_founding_check();
      } catch (const std::exception& error) {
        stop_on_write_failure(error);
      }
      spdlog::info("replica {}: no peer knows id {} (unreachable: {}): taking part", options_.id,
                   options_.id,
                   verdict.unreachable.empty()
                       ? std::string("none")
                       : fmt::format("{}", fmt::join(verdict.unreachable, ", ")));
      begin_serving();
      std::exchange(on_started_, nullptr)(std::nullopt);
      return;
  }
}

void Replica::begin_serving() {
  serving_ = true;
  schedule_tick();
  anti_entropy_.start();
}

void Replica::remember(consensus::NodeId peer) {
  if (known_peers_.contains(peer)) return;
  try {
    store_.remember_peer(peer);
  } catch (const std::exception& error) {
    stop_on_write_failure(error);
  }
  known_peers_.insert(peer);
  spdlog::info("replica {}: first message from peer {}: it is known to have served", options_.id,
               peer);
}

void Replica::stop() {
  if (stopped_) return;
  stopped_ = true;
  tick_timer_.cancel();
  anti_entropy_.stop();
  founding_timer_.cancel();
  if (!writes_.failed()) {
    flush();  // what is already decided is persisted and answered
    writes_.drain();
  }
  // After a failed write nothing that waits for it, or for a later one, may leave.
  if (!writes_.failed()) on_durable(last_write_);
  transport_.stop();
  const std::string why =
      writes_.failed() ? "stopped: a write to the replica's data dir failed" : "shutting down";
  for (auto& [id, pending] : pending_) {
    pending.done(Result::failure(Errc::shutting_down, 0, why));
  }
  pending_.clear();
  waiters_.release_all();
}

consensus::TimeMs Replica::now() const {
  return static_cast<consensus::TimeMs>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - started_)
                                            .count());
}

void Replica::submit(const std::string& key, consensus::Operation op, Callback done) {
  if (stopped_) {
    done(Result::failure(Errc::shutting_down));
    return;
  }
  if (!std::holds_alternative<consensus::ReadOp>(op) && free_space_.low()) {
    done(Result::failure(Errc::no_space, 0, "no space: the disk of this replica is almost full"));
    return;
  }
  refresh_reachability();
  const consensus::RequestId id = next_request_++;
  const bool is_read = std::holds_alternative<consensus::ReadOp>(op);
  pending_.emplace(id, PendingRequest{std::move(done), is_read});
  core_.submit(id, key, std::move(op),
               now() + static_cast<consensus::TimeMs>(options_.request_timeout.count()));
  request_flush();
}

void Replica::wait_key(const std::string& key, std::uint64_t after_version,
                       std::chrono::milliseconds timeout, Callback done) {
  if (stopped_) {
    done(Result::failure(Errc::shutting_down));
    return;
  }
  // The store may hold versions of the key that are written but not yet released: the
  // waiter must not see them before the versions released in between (a watch would skip
  // those). A waiter right behind the released state waits for the next release instead.
  // So does one renewed while a batch is being released (a watch renews from its
  // callback) if the batch holds a later version of the key: it is delivered next.
  bool next_is_unreleased = false;
  if (releasing_ != nullptr) {
    next_is_unreleased = std::any_of(releasing_->begin(), releasing_->end(), [&](const Change& c) {
      return c.key == key && c.version > after_version;
    });
  }
  for (const Unreleased& held : unreleased_) {
    if (next_is_unreleased) break;
    for (const Change& change : held.applied) {
      if (change.key != key) continue;
      next_is_unreleased = after_version + 1 >= change.version;
      break;
    }
    if (next_is_unreleased) break;
  }
  waiters_.wait_key(key, after_version, timeout, std::move(done), !next_is_unreleased);
}

void Replica::wait_prefix(const std::string& prefix, std::uint64_t after_index,
                          std::chrono::milliseconds timeout, Waiters::ChangesCallback done) {
  if (stopped_) timeout = std::chrono::milliseconds{0};  // answer at once, with what is there
  waiters_.wait_prefix(prefix, after_index, timeout, std::move(done));
}

Result Replica::read_local(const std::string& key) const {
  const std::optional<kvstore::AppliedState> state = store_.applied(key);
  if (!state || !state->value) {
    return Result::failure(Errc::not_found, state ? state->version : 0);
  }
  return Result{Errc::ok, state->version, state->value, {}};
}

ListResult Replica::list(const std::string& prefix, const std::string& after,
                         std::size_t limit) const {
  kvstore::ListPage page = store_.list(prefix, after, limit);
  ListResult result;
  result.more = page.more;
  result.index = page.index;
  result.items.reserve(page.items.size());
  for (kvstore::ListItem& item : page.items) {
    result.items.push_back(Entry{std::move(item.key), std::move(item.value), item.version});
  }
  return result;
}

ReplicaCounters Replica::counters() const {
  return ReplicaCounters{core_.counters(),        store_.counters(), transport_.counters(),
                         pending_.size(),         waiters_.size(),   core_.cached_keys(),
                         anti_entropy_.counters()};
}

void Replica::refresh_reachability() {
  for (const auto& [id, address] : options_.cluster) {
    if (id != options_.id) core_.set_peer_reachable(id, transport_.reachable(id));
  }
}

void Replica::on_peer_message(consensus::NodeId from, PeerMessage message) {
  if (stopped_ || !serving_) return;
  remember(from);
  if (auto* consensus_message = std::get_if<consensus::Message>(&message)) {
    core_.receive(from, std::move(*consensus_message));
    request_flush();
    return;
  }
  if (auto* request = std::get_if<anti_entropy::SyncRequest>(&message)) {
    anti_entropy_.on_request(from, *request);
    return;
  }
  if (auto* reply = std::get_if<anti_entropy::SyncReply>(&message)) {
    anti_entropy_.on_reply(from, *reply);
    request_flush();
    return;
  }
  // A key list message (KeyListRequest, KeyListReply): no configuration change runs here.
  spdlog::debug("node {}: ignoring a key list message from {}", options_.id, from);
}

void Replica::schedule_tick() {
  tick_timer_.expires_after(kTickInterval);
  tick_timer_.async_wait([this](boost::system::error_code error) {
    if (error || stopped_) return;
    refresh_reachability();
    core_.tick(now());
    request_flush();
    schedule_tick();
  });
}

void Replica::request_flush() {
  if (flush_requested_) return;
  flush_requested_ = true;
  boost::asio::post(io_, [this] { flush(); });
}

void Replica::flush() {
  flush_requested_ = false;
  if (!core_.has_ready() && !anti_entropy_.has_unsaved_cursors()) return;
  consensus::Ready ready = core_.take_ready();
  Unreleased held;
  for (consensus::Outbound& out : ready.messages) {
    if (consensus::may_precede_persist(out.message)) {
      transport_.send(out.to, out.message);
    } else {
      held.messages.push_back(std::move(out));
    }
  }
  for (const consensus::PersistRecord& record : ready.persist) {
    if (record.applied) {
      held.applied.push_back(Change{record.key, record.applied->value, record.applied->version, 0});
    }
  }
  if (!ready.persist.empty() || anti_entropy_.has_unsaved_cursors()) {
    last_write_ =
        writes_.push(std::move(ready.persist), ready.sync, anti_entropy_.take_unsaved_cursors());
  }
  held.seq = last_write_;
  held.ready_number = ready.number;
  held.completions = std::move(ready.completions);
  unreleased_.push_back(std::move(held));
  release();
}

void Replica::on_disk_failure(const std::string& error) {
  stop();
  if (options_.on_disk_failure) options_.on_disk_failure(error);
}

void Replica::on_durable(std::uint64_t seq) {
  durable_write_ = std::max(durable_write_, seq);
  release();
}

void Replica::release() {
  bool to_self = false;
  while (!unreleased_.empty() && unreleased_.front().seq <= durable_write_) {
    Unreleased held = std::move(unreleased_.front());
    unreleased_.pop_front();
    for (consensus::Outbound& out : held.messages) {
      if (out.to == options_.id) {
        core_.receive(out.to, std::move(out.message));
        to_self = true;
      } else {
        transport_.send(out.to, out.message);
      }
    }
    for (const consensus::Completion& completion : held.completions) {
      auto it = pending_.find(completion.id);
      if (it == pending_.end()) continue;
      PendingRequest pending = std::move(it->second);
      pending_.erase(it);
      pending.done(result_of(completion, pending.is_read));
    }
    releasing_ = &held.applied;
    waiters_.on_applied(held.applied);
    releasing_ = nullptr;
    core_.on_persisted(held.ready_number);
  }
  if (to_self) request_flush();
}

}  // namespace paxoskv

#include "src/replica.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <random>
#include <utility>

#include "consensus/configuration.h"
#include "src/cluster_identity.h"
#include "src/disk_failure_marker.h"
#include "src/founding_check.h"

namespace paxoskv {

namespace {

constexpr std::chrono::milliseconds kTickInterval{10};
// A live peer sends a message each second at least (its anti-entropy pull, its answers
// to ours): one silent this long is taken as gone for readiness (a paused process keeps
// its connections open, so the transport alone still calls it reachable).
constexpr std::chrono::seconds kPeerSilenceLimit{3};
// How often the founding check looks at the peers' answers.
constexpr std::chrono::milliseconds kFoundingPollInterval{10};
// How often a joining replica without a configuration asks its --cluster peers for one.
constexpr std::chrono::milliseconds kConfigurationPollInterval{200};
// Keys a membership change lists per page: at most 512 KiB of keys (kKeyBytesLimit).
constexpr std::uint32_t kKeysPerListPage = 512;

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

// Everyone this replica may talk to at start: its --cluster, and the voters of the
// configuration it has (which wins where they differ: --cluster may be outdated).
std::map<consensus::NodeId, std::string> peers_at_start(const Options& options,
                                                        const consensus::Configuration& config) {
  std::map<consensus::NodeId, std::string> peers = options.cluster;
  for (const auto& members : {config.members, config.leaving}) {
    for (const consensus::ConfigMember& member : members) peers[member.id] = member.address;
  }
  peers.erase(options.id);
  return peers;
}

// The replicas anti-entropy pulls from: the voters, or --cluster until there are any.
std::vector<consensus::NodeId> pull_members(const Options& options,
                                            const consensus::Configuration& config) {
  std::vector<consensus::NodeId> members = config.voters();
  if (members.empty()) {
    for (const auto& [id, address] : options.cluster) members.push_back(id);
  }
  return members;
}

Membership membership_of(const consensus::Configuration& config) {
  Membership membership;
  membership.config_version = config.version;
  for (const consensus::ConfigMember& member : config.members) {
    membership.members.push_back(Member{member.id, member.address});
  }
  for (const consensus::ConfigMember& member : config.leaving) {
    membership.leaving.push_back(Member{member.id, member.address});
  }
  membership.retired.assign(config.retired.begin(), config.retired.end());
  return membership;
}

Result result_of(consensus::ChangeFailure failure, const consensus::ChangeRequest& request) {
  const std::string id = std::to_string(request.member.id);
  switch (failure) {
    case consensus::ChangeFailure::kNone:
      return Result{Errc::ok, 0, std::nullopt, {}};
    case consensus::ChangeFailure::kIdInUse:
      return Result::failure(Errc::conflict, 0,
                             "id " + id + " is in use or was used before (ids are never reused)");
    case consensus::ChangeFailure::kUnknownMember:
      return Result::failure(Errc::not_found, 0, "no member has id " + id);
    case consensus::ChangeFailure::kLastMember:
      return Result::failure(Errc::conflict, 0, "replica " + id + " is the last member");
    case consensus::ChangeFailure::kNoQuorum:
      break;
  }
  return Result::failure(Errc::no_quorum, 0,
                         "no quorum: the change did not complete in time; it may be half done, "
                         "and the next change finishes it first");
}

// Membership changes submit through the replica and list keys through the transport.
membership::ChangeRunner::Limits change_limits(const Options& options) {
  membership::ChangeRunner::Limits limits;
  limits.keys_per_page = kKeysPerListPage;
  limits.give_up_after = std::max(limits.give_up_after, 2 * options.request_timeout);
  return limits;
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
      quota_(options.data_dir, options.quota_bytes),
      core_(core_config(options, store_), store_),
      transport_(io, options.id, cluster_fingerprint(options),
                 peers_at_start(options, core_.configuration()), listen_address_of(options),
                 [this](consensus::NodeId from, PeerMessage message) {
                   on_peer_message(from, std::move(message));
                 }),
      waiters_(io, store_, [this](const std::string& key) { return read_local(key); }),
      anti_entropy_(io, options.id, pull_members(options, core_.configuration()), store_,
                    peers_through(transport_),
                    [this](consensus::NodeId from, consensus::CatchUpReply state) {
                      core_.receive(from, std::move(state));
                    }),
      tick_timer_(io),
      founding_timer_(io),
      changes_(membership::ChangeRunner::Hooks{
                   .submit =
                       [this](const std::string& key, consensus::Operation op,
                              membership::ChangeRunner::SubmitDone done) {
                         submit_internal(key, std::move(op), std::move(done));
                       },
                   .ask =
                       [this](consensus::NodeId to, const membership::KeyListRequest& request) {
                         ask_key_list(to, request);
                       },
                   .configuration = [this]() -> const consensus::Configuration& {
                     return core_.configuration();
                   },
               },
               change_limits(options)),
      peer_addresses_(peers_at_start(options, core_.configuration())),
      writes_(
          io, store_, [this](std::uint64_t seq) { on_durable(seq); },
          [this](const std::string& what) {
            note_write_failure(what);
            boost::asio::post(io_, [this, what] { on_disk_failure(what); });
          }) {
  if (options.peer_tls.enabled()) transport_.use_tls(options.peer_tls);
  follow_configuration();
  load_tokens();
  load_leases();
}

void Replica::load_tokens() {
  const std::string prefix(auth::kTokenKeyPrefix);
  std::string after;
  for (;;) {
    const kvstore::ListPage page = store_.list_reserved(prefix, after, 1000);
    for (const kvstore::ListItem& item : page.items) {
      tokens_.load(item.key, item.value, item.version);
    }
    if (!page.more || page.items.empty()) break;
    after = page.items.back().key;
  }
}

void Replica::load_leases() {
  for (const bool reserved : {true, false}) {
    const std::string prefix = reserved ? std::string(consensus::kLeaseKeyPrefix) : std::string();
    std::string after;
    for (;;) {
      const kvstore::ListPage page =
          reserved ? store_.list_reserved(prefix, after, 1000) : store_.list(prefix, after, 1000);
      for (const kvstore::ListItem& item : page.items) {
        if (reserved || item.lease != 0) {
          leases_.apply(item.key, item.value, item.version, item.lease);
        }
      }
      if (!page.more || page.items.empty()) break;
      after = page.items.back().key;
    }
  }
  leases_.drop_finished();
}

bool Replica::reload_peer_tls() {
  if (!transport_.tls()) return false;
  try {
    transport_.use_tls(options_.peer_tls);
  } catch (const std::exception& error) {
    spdlog::error("node {}: peer TLS certificates not reloaded, keeping those in use: {}",
                  options_.id, error.what());
    return false;
  }
  spdlog::info("node {}: peer TLS certificates reloaded from {}", options_.id,
               options_.peer_tls.cert_file);
  return true;
}

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
  changes_.stop();
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
    if (pending.internal) {
      pending.internal(consensus::Outcome::kNoQuorum);
    } else {
      pending.done(Result::failure(Errc::shutting_down, 0, why));
    }
  }
  pending_.clear();
  answer_snapshot_barriers();  // fails them: stopped
  waiters_.release_all();
}

consensus::TimeMs Replica::now() const {
  return static_cast<consensus::TimeMs>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - started_)
                                            .count());
}

void Replica::submit(const std::string& key, consensus::Operation op, Callback done,
                     QuotaCheck quota) {
  if (stopped_) {
    done(Result::failure(Errc::shutting_down));
    return;
  }
  if (removed_) {
    done(Result::failure(Errc::removed));
    return;
  }
  if (!std::holds_alternative<consensus::ReadOp>(op) && free_space_.low()) {
    done(Result::failure(Errc::no_space, 0, "no space: the disk of this replica is almost full"));
    return;
  }
  if (quota == QuotaCheck::kApplies && std::holds_alternative<consensus::PutOp>(op) &&
      quota_.exceeded()) {
    done(Result::failure(Errc::no_space, 0, "no space: the store is over its --quota-bytes"));
    return;
  }
  refresh_reachability();
  const consensus::RequestId id = next_request_++;
  const bool is_read = std::holds_alternative<consensus::ReadOp>(op);
  pending_.emplace(id, PendingRequest{std::move(done), is_read, nullptr});
  core_.submit(id, key, std::move(op),
               now() + static_cast<consensus::TimeMs>(options_.request_timeout.count()));
  request_flush();
}

void Replica::submit_internal(const std::string& key, consensus::Operation op,
                              std::function<void(consensus::Outcome)> done) {
  if (stopped_) {
    done(consensus::Outcome::kNoQuorum);
    return;
  }
  refresh_reachability();
  const consensus::RequestId id = next_request_++;
  pending_.emplace(id, PendingRequest{nullptr, false, std::move(done)});
  core_.submit(id, key, std::move(op),
               now() + static_cast<consensus::TimeMs>(options_.request_timeout.count()));
  request_flush();
}

void Replica::change_members(consensus::ChangeRequest request, MembershipCallback done) {
  if (stopped_) return done(MembershipResult{Result::failure(Errc::shutting_down), membership()});
  if (removed_) return done(MembershipResult{Result::failure(Errc::removed), membership()});
  if (!core_.configuration().is_voter(options_.id)) {
    return done(MembershipResult{
        Result::failure(Errc::no_quorum, 0, "this replica is not a member (yet): ask a member"),
        membership()});
  }
  if (auto refusal = refuse_without_majority(request)) {
    spdlog::warn("replica {}: membership change refused: {}", options_.id, *refusal);
    return done(MembershipResult{Result::failure(Errc::no_quorum, 0, *refusal), membership()});
  }
  spdlog::info("replica {}: membership change: {} replica {}{}", options_.id,
               request.kind == consensus::ChangeRequest::Kind::kAdd ? "add" : "remove",
               request.member.id,
               request.member.address.empty() ? "" : " at " + request.member.address);
  changes_.request(
      request, [this, request, done = std::move(done)](consensus::ChangeFailure failure,
                                                       const consensus::Configuration& config) {
        Result result = result_of(failure, request);
        if (result.ok()) {
          spdlog::info("replica {}: membership change done: configuration version {} in force",
                       options_.id, config.version);
        } else {
          spdlog::warn("replica {}: membership change of replica {} failed: {}", options_.id,
                       request.member.id, result.message);
        }
        done(MembershipResult{std::move(result), membership_of(config)});
      });
}

// A change is only begun if the members this replica reaches, and the one it adds, make a
// majority of the configuration it leads to. Otherwise it could not finish, and the joint
// configuration it left in force would need the missing members to write. (Unlike etcd's
// strict check, the added replica counts: the contract asks the operator to start it
// promptly, so adding a fourth while one of three is down works once it runs.)
std::optional<std::string> Replica::refuse_without_majority(
    const consensus::ChangeRequest& request) const {
  const consensus::Configuration& config = core_.configuration();
  if (config.joint()) return std::nullopt;  // the change half done is finished first
  std::size_t members_after = config.members.size();
  std::size_t reached_after = 0;
  for (const consensus::ConfigMember& member : config.members) {
    const bool leaving =
        request.kind == consensus::ChangeRequest::Kind::kRemove && member.id == request.member.id;
    if (leaving) continue;
    if (member.id == options_.id || transport_.reachable(member.id)) ++reached_after;
  }
  if (request.kind == consensus::ChangeRequest::Kind::kAdd) {
    // Counted as running: it is to be started promptly (the contract), maybe not yet.
    ++members_after;
    ++reached_after;
  } else if (config.is_member(request.member.id)) {
    --members_after;
  }
  const std::size_t majority = members_after / 2 + 1;
  if (members_after == 0 || reached_after >= majority) return std::nullopt;
  return fmt::format(
      "no quorum: the members this replica reaches ({}, an added one counted) would not make "
      "a majority of the {} members after the change ({} needed): start the missing members "
      "first",
      reached_after, members_after, majority);
}

Membership Replica::membership() const {
  const std::lock_guard lock(membership_mutex_);
  return membership_;
}

void Replica::follow_configuration() {
  const consensus::Configuration& config = core_.configuration();
  if (followed_config_ == config.version) return;
  followed_config_ = config.version;
  bool peers_changed = false;
  for (const auto& members : {config.members, config.leaving}) {
    for (const consensus::ConfigMember& member : members) {
      if (member.id == options_.id) continue;
      auto [it, added] = peer_addresses_.try_emplace(member.id, member.address);
      if (added || it->second != member.address) {
        it->second = member.address;
        peers_changed = true;
      }
    }
  }
  if (peers_changed) transport_.set_peers(peer_addresses_);
  if (!config.members.empty()) anti_entropy_.set_members(config.voters());
  {
    const std::lock_guard lock(membership_mutex_);
    membership_ = membership_of(config);
  }
  if (config.members.empty()) return;  // a joining replica that has no configuration yet
  spdlog::info("replica {}: configuration version {} in force: members {}{}", options_.id,
               config.version, fmt::join(config.member_ids(), ","),
               config.joint() ? fmt::format(", leaving {}", fmt::join(config.leaving_ids(), ","))
                              : std::string());
  const bool retired =
      std::find(config.retired.begin(), config.retired.end(), options_.id) != config.retired.end();
  // Removed once it counts for no quorum (while the change runs it still votes).
  if (retired && !config.is_voter(options_.id) && !removed_.exchange(true)) {
    spdlog::warn(
        "replica {}: removed from the cluster (configuration version {}): it answers clients "
        "410 and may be stopped",
        options_.id, config.version);
  }
}

// Until the configuration names it: a joining replica may start before it is added.
void Replica::ask_for_configuration() {
  if (!options_.join || removed_ || core_.configuration().is_voter(options_.id)) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - config_asked_at_ < kConfigurationPollInterval) return;
  config_asked_at_ = now;
  for (const auto& [id, address] : options_.cluster) {
    if (id == options_.id) continue;
    transport_.send(
        id, consensus::Message{consensus::CatchUpRequest{std::string(consensus::kConfigKey), 0}});
  }
}

void Replica::ask_key_list(consensus::NodeId to, const membership::KeyListRequest& request) {
  if (to == options_.id) {
    // Later, not from inside the runner: answering flushes and may release, and this may
    // run inside a release (a carry answered), which must not release again meanwhile (a
    // watch would see a later version of a key before an earlier one).
    boost::asio::post(io_, [this, request] {
      if (!stopped_) on_key_list_request(options_.id, request);
    });
    return;
  }
  transport_.send(to, request);
  // Only a replica in the same configuration answers: if this one is behind, the peer
  // sends it the newer configuration.
  transport_.send(to, consensus::Message{consensus::CatchUpRequest{
                          std::string(consensus::kConfigKey), core_.configuration().version}});
}

void Replica::on_key_list_request(consensus::NodeId from,
                                  const membership::KeyListRequest& request) {
  const consensus::Version mine = core_.configuration().version;
  if (request.config > mine) {
    // Behind the asker: it must first catch up on the configuration (a list given under
    // the configuration it leaves would not stop keys being chosen there).
    if (from != options_.id) {
      transport_.send(from, consensus::Message{consensus::CatchUpRequest{
                                std::string(consensus::kConfigKey), mine}});
    }
    return;
  }
  if (request.config < mine) return;  // the asker is behind: its change fails or catches up
  flush();  // what the core holds goes to the write queue: the answer waits until durable
  key_lists_.push_back(PendingKeyList{last_write_, from, request});
  answer_key_lists();
}

void Replica::answer_key_lists() {
  while (!key_lists_.empty() && key_lists_.front().seq <= durable_write_ && !stopped_) {
    PendingKeyList pending = std::move(key_lists_.front());
    key_lists_.pop_front();
    const std::uint32_t limit = std::min(pending.request.limit, kKeysPerListPage);
    kvstore::HeldKeysPage page;
    try {
      page = store_.held_keys(pending.request.after, limit);
    } catch (const std::exception& error) {
      spdlog::error("replica {}: cannot list keys for a membership change: {}", options_.id,
                    error.what());
      continue;
    }
    membership::KeyListReply reply{pending.request.request_id, std::move(page.keys), page.more};
    if (pending.to == options_.id) {
      changes_.on_reply(options_.id, reply);
    } else {
      transport_.send(pending.to, reply);
    }
  }
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
  ReplicaCounters counters{
      core_.counters(),         store_.counters(),
      transport_.counters(),    pending_.size(),
      waiters_.size(),          core_.cached_keys(),
      anti_entropy_.counters(), changes_.keys_carried_total() + changes_.keys_carried(),
      round_trips_.counts()};
  for (const auto& [id, address] : peer_addresses_) counters.peer_round_trips[id];
  return counters;
}

void Replica::refresh_reachability() {
  for (const auto& [id, address] : peer_addresses_) {
    core_.set_peer_reachable(id, transport_.reachable(id));
  }
}

void Replica::publish_reachability() {
  std::map<consensus::NodeId, bool> reachable;
  for (const auto& [id, address] : peer_addresses_) reachable[id] = transport_.reachable(id);
  const Readiness readiness = assess_readiness();
  const std::lock_guard lock(membership_mutex_);
  reachable_ = std::move(reachable);
  readiness_ = readiness;
}

Readiness Replica::assess_readiness() {
  const consensus::QuorumRule rule = consensus::QuorumRule::of(core_.configuration());
  if (removed_.load()) return Readiness{};
  const auto now = std::chrono::steady_clock::now();
  std::vector<consensus::NodeId> heard{options_.id};
  for (const auto& [peer, at] : heard_at_) {
    if (now - at <= kPeerSilenceLimit && transport_.reachable(peer)) heard.push_back(peer);
  }
  if (!caught_up_) {
    std::vector<consensus::NodeId> pulled{options_.id};
    pulled.insert(pulled.end(), anti_entropy_.pulled_to_end().begin(),
                  anti_entropy_.pulled_to_end().end());
    if (rule.reached_by(pulled)) {
      caught_up_ = true;
      spdlog::info("replica {}: start-up catch-up done: pulled every change of replicas {}",
                   options_.id, fmt::join(anti_entropy_.pulled_to_end(), ","));
    }
  }
  return Readiness{.reaches_majority = rule.reached_by(heard), .caught_up = caught_up_};
}

Readiness Replica::readiness() const {
  const std::lock_guard lock(membership_mutex_);
  return readiness_;
}

bool Replica::reachable(consensus::NodeId peer) const {
  const std::lock_guard lock(membership_mutex_);
  const auto it = reachable_.find(peer);
  return it != reachable_.end() && it->second;
}

void Replica::on_peer_message(consensus::NodeId from, PeerMessage message) {
  if (stopped_ || !serving_) return;
  remember(from);
  heard_at_[from] = std::chrono::steady_clock::now();
  if (auto* consensus_message = std::get_if<consensus::Message>(&message)) {
    round_trips_.received(from, *consensus_message, std::chrono::steady_clock::now());
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
  if (auto* request = std::get_if<membership::KeyListRequest>(&message)) {
    on_key_list_request(from, *request);
    return;
  }
  changes_.on_reply(from, std::get<membership::KeyListReply>(message));
}

void Replica::send_to_peer(consensus::NodeId to, const consensus::Message& message) {
  if (to != options_.id) round_trips_.sent(to, message, std::chrono::steady_clock::now());
  transport_.send(to, message);
}

void Replica::schedule_tick() {
  tick_timer_.expires_after(kTickInterval);
  tick_timer_.async_wait([this](boost::system::error_code error) {
    if (error || stopped_) return;
    refresh_reachability();
    publish_reachability();
    core_.tick(now());
    if (now() >= last_sweep_ + consensus::kSweepIntervalMs) {
      last_sweep_ = now();
      sweep_leases();
    }
    changes_.tick(std::chrono::steady_clock::now());
    ask_for_configuration();
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
      send_to_peer(out.to, out.message);
    } else {
      held.messages.push_back(std::move(out));
    }
  }
  for (const consensus::PersistRecord& record : ready.persist) {
    // A chosen state: a token created or revoked counts here from now on, before the
    // store has it (it is durable on a majority already).
    if (record.applied) {
      tokens_.apply(record.key, record.applied->value, record.applied->version);
      leases_.apply(record.key, record.applied->value, record.applied->version,
                    record.applied->lease);
    }
    // The core's own keys (the configuration, tokens) are never shown to clients.
    if (record.applied && !consensus::is_reserved_key(record.key)) {
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
        send_to_peer(out.to, out.message);
      }
    }
    for (const consensus::Completion& completion : held.completions) {
      auto it = pending_.find(completion.id);
      if (it == pending_.end()) continue;
      PendingRequest pending = std::move(it->second);
      pending_.erase(it);
      if (pending.internal) {
        pending.internal(completion.outcome);
      } else {
        pending.done(result_of(completion, pending.is_read));
      }
    }
    releasing_ = &held.applied;
    waiters_.on_applied(held.applied);
    releasing_ = nullptr;
    core_.on_persisted(held.ready_number);
  }
  follow_configuration();
  answer_key_lists();
  answer_snapshot_barriers();
  if (to_self) request_flush();
}

}  // namespace paxoskv

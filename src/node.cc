#include "paxoskv/node.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <stdexcept>
#include <thread>

#include "consensus/lease.h"
#include "src/auth/token_record.h"
#include "src/auth/token_secret.h"
#include "src/disk_failure_marker.h"
#include "src/io_thread_pool.h"
#include "src/lease/lease_id.h"
#include "src/metrics_text.h"
#include "src/node_io.h"
#include "src/replica.h"
#include "src/snapshot_streams.h"
#include "src/transport/peer_address.h"

namespace paxoskv {

namespace {

void validate(const Options& options) {
  if (options.cluster.empty()) throw std::invalid_argument("the cluster has no members");
  if (!options.cluster.contains(options.id)) {
    throw std::invalid_argument("replica id " + std::to_string(options.id) +
                                " is not a member of the cluster");
  }
  if (options.id == 0) throw std::invalid_argument("replica ids start at 1");
  if (options.data_dir.empty()) throw std::invalid_argument("no data dir given");
  if (options.max_key_bytes > kKeyBytesLimit) {
    throw std::invalid_argument("max_key_bytes is above the limit peers accept (" +
                                std::to_string(kKeyBytesLimit) + " bytes)");
  }
  if (options.request_timeout.count() <= 0) {
    throw std::invalid_argument("the request timeout must be positive");
  }
  if (options.client_threads > kMaxClientThreads) {
    throw std::invalid_argument("client_threads: at most " + std::to_string(kMaxClientThreads));
  }
  if (options.peer_tls.incomplete()) {
    throw std::invalid_argument(
        "peer TLS needs all three files: the certificate, its key and the trusted CA");
  }
}

Result invalid(std::string message) {
  return Result::failure(Errc::invalid_argument, 0, std::move(message));
}

}  // namespace

class Node::Impl {
 public:
  explicit Impl(Options options)
      : options_(std::move(options)),
        work_(boost::asio::make_work_guard(io_)),
        replica_(std::make_unique<Replica>(io_, options_)) {
    // Set once, at once or on the node's thread: see Replica::start.
    std::promise<std::optional<std::string>> started;
    replica_->start(
        [&started](std::optional<std::string> refusal) { started.set_value(std::move(refusal)); });
    thread_ = std::thread([this] { io_.run(); });
    if (std::optional<std::string> refusal = started.get_future().get()) {
      stop_thread();
      throw LostDataError(*refusal);
    }
  }

  ~Impl() {
    // The client threads first, while the replica's thread still runs: one of them may wait
    // for it (run_on_node, through a blocking call of the Node's API), and work it posted
    // just before that thread stopped would never run. Their connections go with the pool; what the replica
    // answers them as it stops (Node::shutdown, earlier, lets it go out) is dropped.
    if (client_pool_) client_pool_->stop();
    stop_thread();
    snapshot_streams_.close_all();  // before the store they read is closed
    replica_.reset();               // closes the store
    spdlog::info("replica {} stopped", options_.id);
  }

  void shutdown() {
    run_on_node([this] { replica_->stop(); });
  }

  bool reload_certificates() {
    bool reloaded = false;
    run_on_node([&] { reloaded = replica_->reload_peer_tls(); });
    return reloaded;
  }

  std::optional<Result> check_key(const std::string& key) const {
    if (key.empty()) return invalid("empty key");
    if (key.size() > options_.max_key_bytes) return invalid("key too large");
    if (key.find('\0') != std::string::npos) return invalid("key contains a NUL byte");
    return std::nullopt;
  }

  void submit(const std::string& key, consensus::Operation op, Callback done) {
    if (auto error = check_key(key)) return done(std::move(*error));
    submit_checked(key, std::move(op), std::move(done));
  }

  // A key of the node's own (a token's) or one check_key passed.
  void submit_checked(const std::string& key, consensus::Operation op, Callback done) {
    if (replica_->removed()) return done(Result::failure(Errc::removed));
    if (const auto* put = std::get_if<consensus::PutOp>(&op);
        put != nullptr && put->value.size() > options_.max_value_bytes) {
      return done(invalid("value too large"));
    }
    boost::asio::post(io_, [this, key, op = std::move(op), done = std::move(done)]() mutable {
      replica_->submit(key, std::move(op), std::move(done));
    });
  }

  void get(const std::string& key, Consistency consistency, Callback done) {
    if (auto error = check_key(key)) return done(std::move(*error));
    if (replica_->removed()) return done(Result::failure(Errc::removed));
    if (consistency == Consistency::local) return done(replica_->read_local(key));
    submit(key, consensus::ReadOp{}, std::move(done));
  }

  void wait_key(const std::string& key, std::uint64_t after_version,
                std::chrono::milliseconds timeout, Callback done) {
    if (auto error = check_key(key)) return done(std::move(*error));
    // A watch renews its poll from the answer's callback, on the replica's thread: done at
    // once, no change can slip in between.
    if (io_.get_executor().running_in_this_thread()) {
      return replica_->wait_key(key, after_version, timeout, std::move(done));
    }
    boost::asio::post(io_, [=, this, done = std::move(done)]() mutable {
      replica_->wait_key(key, after_version, timeout, std::move(done));
    });
  }

  void snapshot(SnapshotCallback done) {
    if (replica_->removed()) return done(SnapshotResult{Result::failure(Errc::removed), nullptr});
    boost::asio::post(io_, [this, done = std::move(done)]() mutable {
      replica_->snapshot_barrier([this, done = std::move(done)](Result result) {
        if (!result.ok()) return done(SnapshotResult{std::move(result), nullptr});
        // The store's snapshot is taken here, on the replica's thread, once the barrier
        // passed; it is read later, on the caller's.
        done(SnapshotResult{Result{}, snapshot_streams_.open(replica_->scan_store())});
      });
    });
  }

  void wait_prefix(const std::string& prefix, std::uint64_t after_index,
                   std::chrono::milliseconds timeout, ChangesCallback done) {
    boost::asio::post(io_, [=, this, done = std::move(done)]() mutable {
      replica_->wait_prefix(prefix, after_index, timeout, std::move(done));
    });
  }

  // Starts an asynchronous call and waits for its answer on the caller's thread.
  template <typename Answer>
  static Answer wait_for(const std::function<void(std::function<void(Answer)>)>& start) {
    auto promise = std::make_shared<std::promise<Answer>>();
    auto future = promise->get_future();
    start([promise](Answer answer) { promise->set_value(std::move(answer)); });
    return future.get();
  }

  void change_members(consensus::ChangeRequest request, MembershipCallback done) {
    if (request.member.id == 0) {
      return done(MembershipResult{invalid("replica ids start at 1"), membership()});
    }
    if (request.kind == consensus::ChangeRequest::Kind::kAdd &&
        !parse_host_port(request.member.address)) {
      return done(MembershipResult{
          invalid("peer address '" + request.member.address + "' is not HOST:PORT"), membership()});
    }
    boost::asio::post(io_, [this, request = std::move(request), done = std::move(done)]() mutable {
      replica_->change_members(std::move(request), std::move(done));
    });
  }

  Membership membership() const { return replica_->membership(); }

  void create_token(const std::string& name, Role role, const std::string& prefix,
                    TokenCallback done) {
    if (auto problem = auth::token_request_problem(name, role, prefix, options_.max_key_bytes)) {
      return done(CreatedToken{invalid(std::move(*problem)), {}});
    }
    std::string token = auth::make_token();
    const auth::TokenRecord record{role, prefix, auth::digest_of(token)};
    // Only if absent: a name is taken until revoked.
    submit_checked(auth::token_key(name),
                   consensus::PutOp{auth::encode_token_record(record), std::uint64_t{0}},
                   [name, token = std::move(token), done = std::move(done)](Result result) {
                     if (result.code == Errc::conflict) {
                       result.message = "a token named '" + name + "' exists";
                     }
                     done(CreatedToken{result, result.ok() ? token : std::string()});
                   });
  }

  void revoke_token(const std::string& name, Callback done) {
    if (auto problem = auth::token_name_problem(name)) return done(invalid(std::move(*problem)));
    submit_checked(auth::token_key(name), consensus::DeleteOp{std::nullopt},
                   [name, done = std::move(done)](Result result) {
                     if (result.code == Errc::not_found) {
                       result.message = "no token named '" + name + "'";
                     }
                     done(std::move(result));
                   });
  }

  void grant_lease(std::chrono::milliseconds ttl, LeaseCallback done) {
    if (ttl < kMinLeaseTtl || ttl > kMaxLeaseTtl) {
      return done(LeaseResult{invalid("ttl must be from 1s to 1h"), {}});
    }
    if (replica_->removed()) return done(LeaseResult{Result::failure(Errc::removed), {}});
    // Made here, as a token's secret is: a failing generator throws to the caller, not on
    // the node's thread.
    const consensus::LeaseId id = lease::make_lease_id();
    boost::asio::post(io_, [this, id, ttl, done = std::move(done)]() mutable {
      replica_->grant_lease(id, static_cast<consensus::TimeMs>(ttl.count()), std::move(done));
    });
  }

  // Runs `call` on the node's thread with the lease id `id` names, or answers not_found
  // (through `fail`) if it names none: what is not a lease id is no lease's.
  template <typename Fail, typename Call>
  void on_lease(const std::string& id, Fail fail, Call call) {
    const std::optional<consensus::LeaseId> lease = consensus::parse_lease_id(id);
    if (!lease) return fail(Result::failure(Errc::not_found, 0, "lease not found"));
    if (replica_->removed()) return fail(Result::failure(Errc::removed));
    boost::asio::post(
        io_, [this, lease = *lease, call = std::move(call)]() mutable { call(*replica_, lease); });
  }

  void keep_alive(const std::string& id, LeaseCallback done) {
    auto fail = [done](Result result) { done(LeaseResult{std::move(result), {}}); };
    on_lease(id, fail, [done = std::move(done)](Replica& replica, consensus::LeaseId lease) {
      replica.keep_alive_lease(lease, std::move(done));
    });
  }

  void revoke_lease(const std::string& id, Callback done) {
    auto fail = [done](Result result) { done(std::move(result)); };
    on_lease(id, fail, [done = std::move(done)](Replica& replica, consensus::LeaseId lease) {
      replica.revoke_lease(lease, std::move(done));
    });
  }

  void lease(const std::string& id, LeaseCallback done) {
    auto fail = [done](Result result) { done(LeaseResult{std::move(result), {}}); };
    on_lease(id, fail, [done = std::move(done)](Replica& replica, consensus::LeaseId lease) {
      replica.lease_info(lease, std::move(done));
    });
  }

  void put_with_lease(const std::string& key, std::string value,
                      std::optional<std::uint64_t> expected, const std::string& id, Callback done) {
    if (auto error = check_key(key)) return done(std::move(*error));
    if (value.size() > options_.max_value_bytes) return done(invalid("value too large"));
    auto fail = [done](Result result) { done(std::move(result)); };
    on_lease(id, fail,
             [key, value = std::move(value), expected, done = std::move(done)](
                 Replica& replica, consensus::LeaseId lease) mutable {
               replica.put_with_lease(key, consensus::PutOp{std::move(value), expected, lease},
                                      std::move(done));
             });
  }

  std::vector<TokenInfo> tokens() const { return replica_->tokens().list(); }
  void authenticate(std::string_view token, AuthenticationCallback done) {
    using Standing = auth::TokenLookup::Standing;
    auth::TokenLookup found = replica_->tokens().lookup(token);
    if (found.standing == Standing::unknown) return done(Authentication{Result{}, std::nullopt});
    if (found.standing == Standing::confirmed) {
      return done(Authentication{Result{}, std::move(found.holder)});
    }
    // Had before the start: revoked meanwhile? A linearizable read of its key says.
    std::string name = found.holder.name;
    submit_checked(auth::token_key(name), consensus::ReadOp{},
                   [this, name, secret = std::string(token), done = std::move(done)](Result read) {
                     if (!read.ok() && read.code != Errc::not_found) {
                       return done(Authentication{std::move(read), std::nullopt});
                     }
                     replica_->tokens().settle(name, read.value, read.version);
                     auth::TokenLookup settled = replica_->tokens().lookup(secret);
                     if (settled.standing != Standing::confirmed) {
                       return done(Authentication{Result{}, std::nullopt});
                     }
                     done(Authentication{Result{}, std::move(settled.holder)});
                   });
  }

  std::optional<TokenInfo> known_token(std::string_view token) const {
    return replica_->tokens().find(token);
  }

  ListResult list(const std::string& prefix, const std::string& after, std::size_t limit) {
    return replica_->list(prefix, after, limit);
  }

  std::uint64_t index() const { return replica_->index(); }

  NodeStatus status() const {
    NodeStatus status;
    status.id = options_.id;
    status.membership = membership();
    for (const auto& members : {status.membership.members, status.membership.leaving}) {
      for (const Member& member : members) status.cluster[member.id] = member.peer_address;
    }
    // A joining replica without a configuration yet: the members it was told of.
    if (status.cluster.empty()) status.cluster = options_.cluster;
    for (const auto& [id, address] : status.cluster) {
      if (id != options_.id) status.reachable[id] = replica_->reachable(id);
    }
    status.index = replica_->index();
    status.removed = replica_->removed();
    status.readiness = replica_->readiness();
    return status;
  }

  std::string metrics_text() {
    ReplicaCounters counters;
    run_on_node([&] { counters = replica_->counters(); });
    return metrics_text_of(counters);
  }

  // The counters are read on the replica's thread, the rest where clients are served: no
  // client thread waits for the replica's meanwhile.
  void metrics_text(std::function<void(std::string)> done) {
    boost::asio::post(io_, [this, done = std::move(done)]() mutable {
      boost::asio::post(client_io(), [this, counters = replica_->counters(),
                                      done = std::move(done)] { done(metrics_text_of(counters)); });
    });
  }

  const Options& options() const { return options_; }
  boost::asio::io_context& io() { return io_; }
  boost::asio::io_context& client_io() { return client_pool_ ? client_pool_->context() : io_; }

 private:
  std::string metrics_text_of(const ReplicaCounters& counters) const {
    // A walk of the data dir (a few hundred files at most) and a read of /proc.
    const HostFigures host{read_process_stats(), directory_bytes(options_.data_dir),
                           options_.quota_bytes};
    return render_metrics(options_.id, counters, status(), host);
  }

  // Runs `work` on the node's thread and waits for it (at once if already there).
  void run_on_node(const std::function<void()>& work) {
    if (io_.get_executor().running_in_this_thread() || io_.stopped()) {
      work();
      return;
    }
    std::promise<void> done;
    auto future = done.get_future();
    boost::asio::post(io_, [&] {
      work();
      done.set_value();
    });
    future.get();
  }

  void stop_thread() {
    run_on_node([this] { replica_->stop(); });
    work_.reset();
    io_.stop();
    thread_.join();
  }

  Options options_;
  // Declared first, destroyed last: connections left on it hold callbacks of the replica's.
  std::unique_ptr<IoThreadPool> client_pool_ =
      options_.client_threads == 0
          ? nullptr
          : std::make_unique<IoThreadPool>(options_.client_threads, "paxoskv-http");
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<Replica> replica_;
  SnapshotStreams snapshot_streams_;
  std::thread thread_;
};

Node::Node(Options options) {
  validate(options);
  check_disk_failure_marker(options);
  impl_ = std::make_unique<Impl>(std::move(options));
}

Node::~Node() = default;

boost::asio::io_context& NodeIo::context(Node& node) {
  return node.impl_->client_io();
}

void Node::shutdown() {
  impl_->shutdown();
}

bool Node::reload_certificates() {
  return impl_->reload_certificates();
}

void Node::put(const std::string& key, std::string value, std::optional<std::uint64_t> expected,
               Callback done) {
  impl_->submit(key, consensus::PutOp{std::move(value), expected}, std::move(done));
}

void Node::remove(const std::string& key, std::optional<std::uint64_t> expected, Callback done) {
  impl_->submit(key, consensus::DeleteOp{expected}, std::move(done));
}

void Node::get(const std::string& key, Consistency consistency, Callback done) {
  impl_->get(key, consistency, std::move(done));
}

void Node::wait(const std::string& key, std::uint64_t after_version,
                std::chrono::milliseconds timeout, Callback done) {
  impl_->wait_key(key, after_version, timeout, std::move(done));
}

void Node::wait_prefix(const std::string& prefix, std::uint64_t after_index,
                       std::chrono::milliseconds timeout, ChangesCallback done) {
  impl_->wait_prefix(prefix, after_index, timeout, std::move(done));
}

Result Node::put(const std::string& key, std::string value, std::optional<std::uint64_t> expected) {
  return Impl::wait_for<Result>(
      [&](Callback done) { put(key, std::move(value), expected, std::move(done)); });
}

Result Node::remove(const std::string& key, std::optional<std::uint64_t> expected) {
  return Impl::wait_for<Result>([&](Callback done) { remove(key, expected, std::move(done)); });
}

Result Node::get(const std::string& key, Consistency consistency) {
  return Impl::wait_for<Result>([&](Callback done) { get(key, consistency, std::move(done)); });
}

ListResult Node::list(const std::string& prefix, const std::string& after, std::size_t limit) {
  return impl_->list(prefix, after, limit);
}

void Node::add_member(std::uint32_t id, const std::string& peer_address, MembershipCallback done) {
  impl_->change_members(
      consensus::ChangeRequest{consensus::ChangeRequest::Kind::kAdd, {id, peer_address}},
      std::move(done));
}

void Node::remove_member(std::uint32_t id, MembershipCallback done) {
  impl_->change_members(consensus::ChangeRequest{consensus::ChangeRequest::Kind::kRemove, {id, {}}},
                        std::move(done));
}

Membership Node::membership() const {
  return impl_->membership();
}

MembershipResult Node::add_member(std::uint32_t id, const std::string& peer_address) {
  return Impl::wait_for<MembershipResult>(
      [&](MembershipCallback done) { add_member(id, peer_address, std::move(done)); });
}

MembershipResult Node::remove_member(std::uint32_t id) {
  return Impl::wait_for<MembershipResult>(
      [&](MembershipCallback done) { remove_member(id, std::move(done)); });
}

void Node::create_token(const std::string& name, Role role, const std::string& prefix,
                        TokenCallback done) {
  impl_->create_token(name, role, prefix, std::move(done));
}

void Node::revoke_token(const std::string& name, Callback done) {
  impl_->revoke_token(name, std::move(done));
}

std::vector<TokenInfo> Node::tokens() const {
  return impl_->tokens();
}

void Node::authenticate(std::string_view token, AuthenticationCallback done) {
  impl_->authenticate(token, std::move(done));
}

std::optional<TokenInfo> Node::authenticate(std::string_view token) {
  Authentication answer = Impl::wait_for<Authentication>(
      [&](AuthenticationCallback done) { authenticate(token, std::move(done)); });
  return answer.result.ok() ? std::move(answer.holder) : std::nullopt;
}

std::optional<TokenInfo> Node::known_token(std::string_view token) const {
  return impl_->known_token(token);
}

CreatedToken Node::create_token(const std::string& name, Role role, const std::string& prefix) {
  return Impl::wait_for<CreatedToken>(
      [&](TokenCallback done) { create_token(name, role, prefix, std::move(done)); });
}

Result Node::revoke_token(const std::string& name) {
  return Impl::wait_for<Result>([&](Callback done) { revoke_token(name, std::move(done)); });
}

void Node::grant_lease(std::chrono::milliseconds ttl, LeaseCallback done) {
  impl_->grant_lease(ttl, std::move(done));
}

void Node::keep_alive(const std::string& id, LeaseCallback done) {
  impl_->keep_alive(id, std::move(done));
}

void Node::revoke_lease(const std::string& id, Callback done) {
  impl_->revoke_lease(id, std::move(done));
}

void Node::lease(const std::string& id, LeaseCallback done) {
  impl_->lease(id, std::move(done));
}

void Node::put_with_lease(const std::string& key, std::string value,
                          std::optional<std::uint64_t> expected, const std::string& lease,
                          Callback done) {
  impl_->put_with_lease(key, std::move(value), expected, lease, std::move(done));
}

HoldResult Node::lock(const std::string& name, std::chrono::milliseconds ttl,
                      std::chrono::milliseconds wait_limit) {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  const std::string holder = std::string(host.data()) + " pid " + std::to_string(getpid());
  return take_hold(*this, name, holder, ttl, wait_limit);
}

HoldResult Node::campaign(const std::string& name, std::string value, std::chrono::milliseconds ttl,
                          std::chrono::milliseconds wait_limit) {
  return take_hold(*this, name, value, ttl, wait_limit);
}

LeaseResult Node::grant_lease(std::chrono::milliseconds ttl) {
  return Impl::wait_for<LeaseResult>(
      [&](LeaseCallback done) { grant_lease(ttl, std::move(done)); });
}

LeaseResult Node::keep_alive(const std::string& id) {
  return Impl::wait_for<LeaseResult>([&](LeaseCallback done) { keep_alive(id, std::move(done)); });
}

Result Node::revoke_lease(const std::string& id) {
  return Impl::wait_for<Result>([&](Callback done) { revoke_lease(id, std::move(done)); });
}

LeaseResult Node::lease(const std::string& id) {
  return Impl::wait_for<LeaseResult>([&](LeaseCallback done) { lease(id, std::move(done)); });
}

Result Node::put_with_lease(const std::string& key, std::string value,
                            std::optional<std::uint64_t> expected, const std::string& lease) {
  return Impl::wait_for<Result>([&](Callback done) {
    put_with_lease(key, std::move(value), expected, lease, std::move(done));
  });
}

void Node::snapshot(SnapshotCallback done) {
  impl_->snapshot(std::move(done));
}

std::uint64_t Node::index() const {
  return impl_->index();
}
NodeStatus Node::status() const {
  return impl_->status();
}
std::string Node::metrics_text() const {
  return impl_->metrics_text();
}
void Node::metrics_text(std::function<void(std::string)> done) const {
  impl_->metrics_text(std::move(done));
}
const Options& Node::options() const {
  return impl_->options();
}

}  // namespace paxoskv

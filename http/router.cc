#include "http/router.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/beast/http/field.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "http/console.h"
#include "http/encoding/percent_encoding.h"
#include "http/json_render.h"
#include "http/key_path.h"
#include "http/lease_request.h"
#include "http/member_request.h"
#include "http/origin_check.h"
#include "http/query_params.h"
#include "http/request_error.h"
#include "http/responses.h"
#include "http/target.h"
#include "http/token_request.h"

namespace paxoskv::http {

using boost::beast::http::field;
using boost::beast::http::status;
using boost::beast::http::verb;
using Clock = std::chrono::steady_clock;

namespace {

enum class PathKind {
  kv_key,
  kv_collection,
  members,
  member,
  tokens,
  token,
  leases,
  lease,
  healthz,
  livez,
  readyz,
  status,
  metrics,
  snapshot,
  console,
  unknown
};

PathKind path_kind(std::string_view path) {
  if (path.starts_with(kv_key_path_prefix)) return PathKind::kv_key;
  if (path == kv_path) return PathKind::kv_collection;
  if (path == members_path) return PathKind::members;
  if (path.starts_with(member_path_prefix)) return PathKind::member;
  if (path == tokens_path) return PathKind::tokens;
  if (path.starts_with(token_path_prefix)) return PathKind::token;
  if (path == leases_path) return PathKind::leases;
  if (path.starts_with(lease_path_prefix)) return PathKind::lease;
  if (path == healthz_path) return PathKind::healthz;
  if (path == livez_path) return PathKind::livez;
  if (path == readyz_path) return PathKind::readyz;
  if (path == status_path) return PathKind::status;
  if (path == metrics_path) return PathKind::metrics;
  if (path == snapshot_path) return PathKind::snapshot;
  // Last: the console costs the API's routes nothing.
  if (is_console_path(path)) return PathKind::console;
  return PathKind::unknown;
}

std::string_view allowed_methods(PathKind kind) {
  switch (kind) {
    case PathKind::kv_key:
      return "GET, HEAD, PUT, DELETE";
    case PathKind::members:
    case PathKind::tokens:
      return "GET, HEAD, POST";
    case PathKind::member:
    case PathKind::token:
      return "DELETE";
    case PathKind::leases:
      return "POST";
    case PathKind::lease:
      return "GET, HEAD, POST, DELETE";
    default:
      return "GET, HEAD";
  }
}

// What a request is, for dispatch and as the metrics label.
enum class Route {
  kv_get,
  kv_wait,
  kv_put,
  kv_delete,
  kv_list,
  kv_prefix_wait,
  members_list,
  member_add,
  member_remove,
  tokens_list,
  token_create,
  token_revoke,
  lease_grant,
  lease_keepalive,
  lease_get,
  lease_revoke,
  healthz,
  livez,
  readyz,
  status,
  metrics,
  snapshot,
  console,
  method_not_allowed,
  not_found,
  bad_target,
};

std::string_view label(Route route) {
  switch (route) {
    case Route::kv_get:
      return "kv_get";
    case Route::kv_wait:
      return "kv_wait";
    case Route::kv_put:
      return "kv_put";
    case Route::kv_delete:
      return "kv_delete";
    case Route::kv_list:
      return "kv_list";
    case Route::kv_prefix_wait:
      return "kv_prefix_wait";
    case Route::members_list:
      return "members_list";
    case Route::member_add:
      return "member_add";
    case Route::member_remove:
      return "member_remove";
    case Route::tokens_list:
      return "tokens_list";
    case Route::token_create:
      return "token_create";
    case Route::token_revoke:
      return "token_revoke";
    case Route::lease_grant:
      return "lease_grant";
    case Route::lease_keepalive:
      return "lease_keepalive";
    case Route::lease_get:
      return "lease_get";
    case Route::lease_revoke:
      return "lease_revoke";
    case Route::healthz:
      return "healthz";
    case Route::livez:
      return "livez";
    case Route::readyz:
      return "readyz";
    case Route::status:
      return "status";
    case Route::metrics:
      return "metrics";
    case Route::snapshot:
      return "snapshot";
    case Route::console:
      return "console";
    case Route::method_not_allowed:
      return "method_not_allowed";
    case Route::not_found:
      return "not_found";
    case Route::bad_target:
      return "bad_target";
  }
  return "unknown";
}

// Whether the raw query names `name`, decoded as QueryParams decodes names ("wai%74" is
// "wait"), so that the route agrees with what the query asks: enough to pick a route
// before the query is parsed (and possibly refused).
bool names_parameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (percent_decode(pair.substr(0, pair.find('=')), true) == name) return true;
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  return false;
}

Route classify(verb method, PathKind kind, std::string_view query) {
  const bool is_get = method == verb::get || method == verb::head;
  switch (kind) {
    case PathKind::kv_key:
      if (is_get) return names_parameter(query, "wait") ? Route::kv_wait : Route::kv_get;
      if (method == verb::put) return Route::kv_put;
      if (method == verb::delete_) return Route::kv_delete;
      return Route::method_not_allowed;
    case PathKind::kv_collection:
      if (!is_get) return Route::method_not_allowed;
      return names_parameter(query, "wait") ? Route::kv_prefix_wait : Route::kv_list;
    case PathKind::members:
      if (is_get) return Route::members_list;
      return method == verb::post ? Route::member_add : Route::method_not_allowed;
    case PathKind::member:
      return method == verb::delete_ ? Route::member_remove : Route::method_not_allowed;
    case PathKind::tokens:
      if (is_get) return Route::tokens_list;
      return method == verb::post ? Route::token_create : Route::method_not_allowed;
    case PathKind::token:
      return method == verb::delete_ ? Route::token_revoke : Route::method_not_allowed;
    case PathKind::leases:
      return method == verb::post ? Route::lease_grant : Route::method_not_allowed;
    case PathKind::lease:
      if (is_get) return Route::lease_get;
      if (method == verb::post) return Route::lease_keepalive;
      return method == verb::delete_ ? Route::lease_revoke : Route::method_not_allowed;
    case PathKind::healthz:
      return is_get ? Route::healthz : Route::method_not_allowed;
    case PathKind::livez:
      return is_get ? Route::livez : Route::method_not_allowed;
    case PathKind::readyz:
      return is_get ? Route::readyz : Route::method_not_allowed;
    case PathKind::status:
      return is_get ? Route::status : Route::method_not_allowed;
    case PathKind::metrics:
      return is_get ? Route::metrics : Route::method_not_allowed;
    case PathKind::snapshot:
      return is_get ? Route::snapshot : Route::method_not_allowed;
    case PathKind::console:
      return is_get ? Route::console : Route::method_not_allowed;
    case PathKind::unknown:
      return Route::not_found;
  }
  return Route::not_found;
}

Router::Answer answer_with(Response response) {
  return [response = std::move(response)] { return response; };
}

// 200 when ready, else 503; the body says which condition holds.
Response readiness_response(const Readiness& readiness) {
  const bool ready = readiness.ready();
  return json_response(ready ? status::ok : status::service_unavailable,
                       Json{{"status", ready ? "ready" : "not ready"},
                            {"reaches_majority", readiness.reaches_majority},
                            {"caught_up", readiness.caught_up}});
}

Consistency consistency_of(const QueryParams& params) {
  const auto consistency = params.text("consistency");
  if (!consistency || *consistency == "linearizable") return Consistency::linearizable;
  if (*consistency == "local") return Consistency::local;
  throw RequestError(status::bad_request, "bad consistency: expected local or linearizable");
}

// {"error": text} with the status, both from describe().
// Who holds the root token: an admin of every key.
TokenInfo root_holder() {
  return TokenInfo{"root", Role::admin, {}};
}

Response errc_response(Errc code) {
  const ErrcDescription description = describe(code);
  return error_response(static_cast<status>(description.http_status), description.message);
}

// The answer to an operation that did not succeed: status and "error" from the one
// table of Errc texts (describe); an invalid argument says what was wrong instead.
Response failure_response(std::string_view key, const Result& result) {
  const ErrcDescription description =
      result.ok() ? ErrcDescription{"ok", "internal error", 500} : describe(result.code);
  const bool says_what = result.code == Errc::invalid_argument && !result.message.empty();
  Json body = error_json(says_what ? std::string_view(result.message) : description.message);
  add_bytes(body, "key", key);
  if (result.code == Errc::not_found || result.code == Errc::conflict) {
    body["version"] = result.version;
  }
  if (!result.message.empty() && result.code != Errc::invalid_argument) {
    body["detail"] = result.message;
  }
  return json_response(static_cast<status>(description.http_status), body);
}

// The answer to a membership change: the configuration once it is in force, else the
// failure's status from describe(). Its text names what a membership change means by it
// (a conflict is not a version mismatch here); the replica's own words come as "detail".
Response member_change_response(const MembershipResult& answer, bool adding) {
  if (answer.result.ok()) return json_response(status::ok, membership_json(answer.membership));
  const Result& result = answer.result;
  const ErrcDescription description = describe(result.code);
  std::string_view text = description.message;
  if (result.code == Errc::conflict) {
    text = adding ? "id in use or used before (ids are never reused)" : "last member";
  } else if (result.code == Errc::not_found) {
    text = "unknown id";
  } else if (result.code == Errc::invalid_argument && !result.message.empty()) {
    text = result.message;
  }
  Json body = error_json(text);
  if (!result.message.empty() && result.message != text && result.message != description.message) {
    body["detail"] = result.message;
  }
  return json_response(static_cast<status>(description.http_status), body);
}

// The answer to a token's creation or revocation that failed: the status from
// describe(), the node's words (which name the token) as the error.
Response token_failure_response(const Result& result) {
  const ErrcDescription description = describe(result.code);
  return error_response(static_cast<status>(description.http_status),
                        result.message.empty() ? description.message : result.message);
}

Json tokens_json(const std::vector<TokenInfo>& tokens) {
  Json list = Json::array();
  for (const TokenInfo& token : tokens) {
    Json entry{{"name", token.name}, {"role", to_string(token.role)}};
    add_bytes(entry, "prefix", token.prefix);
    list.push_back(std::move(entry));
  }
  return Json{{"tokens", std::move(list)}};
}

Response write_response(std::string_view key, const Result& result) {
  if (!result.ok()) return failure_response(key, result);
  return json_response(status::ok, write_json(key, result.version));
}

// An error answer with its text; a 401 names the scheme that would do.
Response request_error_response(status code, std::string_view text) {
  Response response = error_response(code, text);
  if (code == status::unauthorized) response.set(field::www_authenticate, "Bearer");
  return response;
}

Response read_response(std::string_view key, const Result& result, bool raw, std::uint64_t index) {
  Response response = [&] {
    if (!result.ok()) return failure_response(key, result);
    const std::string_view value = result.value ? std::string_view(*result.value) : "";
    if (!raw) return json_response(status::ok, entry_json(key, value, result.version));
    Response bytes = text_response(status::ok, "application/octet-stream", std::string(value));
    bytes.set(version_header, std::to_string(result.version));
    return bytes;
  }();
  response.set(index_header, std::to_string(index));
  return response;
}

}  // namespace

// Delivers a request's one answer, measured. Copies share the request: the first answer
// wins, later ones (a replica answering after a failure was already sent) are dropped.
class Router::Reply {
 public:
  Reply(Respond respond, RespondStream respond_stream, HttpMetrics& metrics, Route route)
      : state_(std::make_shared<State>(std::move(respond), std::move(respond_stream), metrics,
                                       route)) {}

  // The answer, when it comes, goes only if `still_authenticated` then says so, else 401:
  // for a long poll, whose token may be revoked while it waits.
  void check_when_answering(std::function<bool()> still_authenticated) const {
    state_->still_authenticated = std::move(still_authenticated);
  }

  Route route() const { return state_->route; }

  // A streamed answer: measured when its head goes.
  void stream(Response head, BodyStream body) const {
    if (state_->answered.exchange(true)) return;
    state_->metrics.record_request(label(state_->route), head.result_int(),
                                   Clock::now() - state_->started);
    state_->respond_stream(std::move(head), std::move(body));
  }

  void operator()(Answer answer) const {
    if (state_->answered.exchange(true)) return;
    state_->respond([state = state_, answer = std::move(answer)] {
      Response response = !state->still_authenticated || state->still_authenticated()
                              ? answer()
                              : request_error_response(status::unauthorized, "unauthenticated");
      state->metrics.record_request(label(state->route), response.result_int(),
                                    Clock::now() - state->started);
      return response;
    });
  }

 private:
  struct State {
    State(Respond respond_, RespondStream respond_stream_, HttpMetrics& metrics_, Route route_)
        : respond(std::move(respond_)),
          respond_stream(std::move(respond_stream_)),
          metrics(metrics_),
          route(route_) {}

    std::atomic<bool> answered{false};
    Respond respond;
    RespondStream respond_stream;
    HttpMetrics& metrics;
    Route route;
    std::function<bool()> still_authenticated;  // none: no check when answering
    Clock::time_point started = Clock::now();
  };
  std::shared_ptr<State> state_;
};

Router::Router(Backend& backend, ServerLimits limits, HttpMetrics& metrics, AccessControl access)
    : backend_(backend), limits_(limits), metrics_(metrics), access_(access) {}

std::optional<TokenInfo> Router::caller_of(const Request& request, std::string_view path,
                                           const std::optional<TokenInfo>& holder) const {
  if (!access_.enabled()) return std::nullopt;
  const Need need = need_of(path, request.method());
  if (need == Need::nothing) return std::nullopt;
  if (!holder) throw RequestError(status::unauthorized, "unauthenticated");
  if (!role_allows(holder->role, need)) throw RequestError(status::forbidden, "permission denied");
  return holder;
}

bool Router::is_root(std::string_view token) const {
  return auth::same_digest(auth::digest_of(token), *access_.root_token);
}

std::optional<TokenInfo> Router::holder_now(std::string_view token) const {
  if (is_root(token)) return root_holder();
  return backend_.known_token(token);
}

void Router::handle(Request request, Respond respond) {
  RespondStream whole = [respond](Response head, BodyStream body) {
    respond([head = std::move(head), body = std::move(body)]() mutable {
      std::string all;
      while (auto piece = body()) all += *piece;
      head.chunked(false);
      head.body() = std::move(all);
      head.prepare_payload();
      return head;
    });
  };
  handle(std::move(request), respond, std::move(whole));
}

void Router::handle(Request request, Respond respond, RespondStream respond_stream) {
  const auto target = split_target(request.target());
  const PathKind kind = target ? path_kind(target->path) : PathKind::unknown;
  const Route route = target ? classify(request.method(), kind, target->query) : Route::bad_target;
  const Reply reply(std::move(respond), std::move(respond_stream), metrics_, route);
  if (is_cross_origin_change(request)) {
    return reply(
        answer_with(request_error_response(status::forbidden, "cross-origin request refused")));
  }
  // Never logged: neither the header nor the token appear in any log line.
  const std::optional<std::string_view> token =
      target && access_.enabled() && need_of(target->path, request.method()) != Need::nothing
          ? bearer_token(request[field::authorization])
          : std::nullopt;
  if (!token) return serve(request, reply, std::nullopt);
  if (is_root(*token)) return serve(request, reply, root_holder());
  // The replica may have to ask the cluster first (a token it had before its start): the
  // request is served when it answers, possibly on the replica's thread.
  auto held = std::make_shared<Request>(std::move(request));
  const std::string secret(*bearer_token((*held)[field::authorization]));
  backend_.authenticate(secret, [this, held, reply](Authentication answer) {
    if (!answer.result.ok()) {
      reply(answer_with(errc_response(answer.result.code)));
      return;
    }
    serve(*held, reply, std::move(answer.holder));
  });
}

void Router::serve(Request& request, const Reply& reply, const std::optional<TokenInfo>& holder) {
  const auto target = split_target(request.target());
  const PathKind kind = target ? path_kind(target->path) : PathKind::unknown;
  const Route route = reply.route();
  try {
    const std::optional<TokenInfo> caller =
        target ? caller_of(request, target->path, holder) : std::nullopt;
    // A long poll's token is checked again when it answers: it may be revoked meanwhile.
    if (caller && (route == Route::kv_wait || route == Route::kv_prefix_wait)) {
      // Never logged, like the header it comes from.
      reply.check_when_answering(
          [this, token = std::string(*bearer_token(request[field::authorization]))] {
            return holder_now(token).has_value();
          });
    }
    switch (route) {
      case Route::bad_target:
        throw RequestError(status::bad_request, "malformed request target");
      case Route::not_found:
        throw RequestError(status::not_found, "no such endpoint");
      case Route::method_not_allowed: {
        Response response = error_response(
            status::method_not_allowed,
            fmt::format("method {} not allowed here", std::string_view(request.method_string())));
        response.set(field::allow, allowed_methods(kind));
        reply(answer_with(std::move(response)));
        return;
      }
      case Route::healthz:
      case Route::livez:
        reply(answer_with(json_response(status::ok, Json{{"status", "ok"}})));
        return;
      case Route::readyz:
        reply(answer_with(readiness_response(backend_.readiness())));
        return;
      case Route::status:
        reply(answer_with(text_response(status::ok, "application/json", backend_.status_json())));
        return;
      case Route::metrics:
        serve_metrics(reply);
        return;
      case Route::console:
        reply([path = std::string(target->path),
               if_none_match = std::string(request[field::if_none_match])] {
          return console_response(path, if_none_match);
        });
        return;
      case Route::snapshot:
        if (backend_.removed()) {
          reply(answer_with(errc_response(Errc::removed)));
          return;
        }
        serve_snapshot(reply);
        return;
      case Route::kv_list:
      case Route::kv_prefix_wait:
        // Their answers carry no Errc to say so: a removed replica refuses them here.
        if (backend_.removed()) {
          reply(answer_with(errc_response(Errc::removed)));
          return;
        }
        serve_list(QueryParams(target->query), caller, reply);
        return;
      case Route::members_list:
        reply([membership = backend_.membership()] {
          return json_response(status::ok, membership_json(membership));
        });
        return;
      case Route::member_add:
        serve_member_add(member_to_add(request.body()), reply);
        return;
      case Route::member_remove:
        serve_member_remove(member_id_from_path(target->path.substr(member_path_prefix.size())),
                            reply);
        return;
      case Route::tokens_list:
        reply([tokens = backend_.tokens()] {
          return json_response(status::ok, tokens_json(tokens));
        });
        return;
      case Route::token_create:
        serve_token_create(token_to_create(request.body(), limits_.max_key_bytes), reply);
        return;
      case Route::token_revoke:
        serve_token_revoke(token_name_from_path(target->path.substr(token_path_prefix.size())),
                           reply);
        return;
      case Route::lease_grant:
        serve_lease_grant(lease_ttl_to_grant(request.body()), reply);
        return;
      case Route::lease_keepalive:
      case Route::lease_get:
      case Route::lease_revoke:
        serve_lease(route == Route::lease_keepalive ? LeaseAction::keepalive
                    : route == Route::lease_get     ? LeaseAction::read
                                                    : LeaseAction::revoke,
                    lease_target_from_path(target->path.substr(lease_path_prefix.size())), caller,
                    reply);
        return;
      case Route::kv_get:
      case Route::kv_wait:
      case Route::kv_put:
      case Route::kv_delete:
        break;
    }
    // The key's errors come before the query's: a bad key is the worse mistake.
    std::string key = key_from_path(target->path, limits_.max_key_bytes);
    if (caller && !reaches(*caller, key)) {
      throw RequestError(status::forbidden, "permission denied");
    }
    const QueryParams params(target->query);
    if (route == Route::kv_put) {
      serve_put(std::move(key), params, std::move(request.body()), reply);
    } else if (route == Route::kv_delete) {
      serve_delete(std::move(key), params, reply);
    } else {
      serve_key_read(std::move(key), params, reply);
    }
  } catch (const RequestError& error) {
    spdlog::debug("paxoskv http: refused {} {}: {} {}", std::string_view(request.method_string()),
                  std::string_view(request.target()), static_cast<unsigned>(error.status()),
                  error.what());
    reply(answer_with(request_error_response(error.status(), error.what())));
  } catch (const std::exception& error) {
    spdlog::error("paxoskv http: {} {} failed: {}", std::string_view(request.method_string()),
                  std::string_view(request.target()), error.what());
    reply(answer_with(error_response(status::internal_server_error, "internal error")));
  }
}

void Router::serve_snapshot(const Reply& reply) {
  backend_.snapshot([reply](SnapshotResult answer) {
    if (!answer.result.ok()) {
      const ErrcDescription description = describe(answer.result.code);
      Json body = error_json(description.message);
      if (answer.result.message != description.message) body["detail"] = answer.result.message;
      reply(answer_with(json_response(static_cast<status>(description.http_status), body)));
      return;
    }
    Response head(status::ok, 11);
    head.set(field::content_type, "application/octet-stream");
    head.chunked(true);
    reply.stream(std::move(head), [stream = std::move(answer.stream)] { return stream->next(); });
  });
}

void Router::serve_key_read(std::string key, const QueryParams& params, const Reply& reply) {
  const bool raw = params.flag("raw");
  const Consistency consistency = consistency_of(params);
  const auto timeout = params.duration("timeout", limits_.max_wait_timeout);
  const auto after_version = params.number("wait");
  auto render = [this, key, raw, reply](Result result) {
    reply([this, key, raw, result = std::move(result)] {
      return read_response(key, result, raw, backend_.index());
    });
  };
  if (!after_version) {
    backend_.get(key, consistency, std::move(render));
    return;
  }
  // A long poll reads this replica's applied state, whatever the consistency asked.
  metrics_.long_poll_started();
  backend_.wait_key(key, *after_version, timeout.value_or(limits_.default_wait_timeout),
                    [this, render = std::move(render)](Result result) {
                      metrics_.long_poll_finished();
                      render(std::move(result));
                    });
}

void Router::serve_put(std::string key, const QueryParams& params, std::string value,
                       const Reply& reply) {
  const auto expected = params.number("cas");
  if (value.size() > limits_.max_value_bytes) {
    throw RequestError(status::payload_too_large,
                       fmt::format("value too large: {} bytes, at most {}", value.size(),
                                   limits_.max_value_bytes));
  }
  const std::optional<std::string> lease = params.text("lease");
  if (!lease) {
    backend_.put(key, std::move(value), expected, [key, reply](Result result) {
      reply([key, result = std::move(result)] { return write_response(key, result); });
    });
    return;
  }
  backend_.put_with_lease(key, std::move(value), expected, *lease, [key, reply](Result result) {
    reply([key, result = std::move(result)] {
      if (result.code == Errc::not_found) return error_response(status::not_found, result.message);
      if (result.code == Errc::invalid_argument) {
        return error_response(status::bad_request, result.message);
      }
      return write_response(key, result);
    });
  });
}

void Router::serve_lease_grant(std::chrono::milliseconds ttl, const Reply& reply) {
  backend_.grant_lease(ttl, [reply](LeaseResult granted) {
    reply([granted = std::move(granted)] {
      if (!granted.result.ok()) return token_failure_response(granted.result);
      return json_response(
          status::ok, Json{{"id", granted.lease.id}, {"ttl", format_duration(granted.lease.ttl)}});
    });
  });
}

void Router::serve_lease(LeaseAction action, const LeaseTarget& target,
                         const std::optional<TokenInfo>& caller, const Reply& reply) {
  if (target.keepalive != (action == LeaseAction::keepalive)) {
    Response response = error_response(status::method_not_allowed, "method not allowed here");
    response.set(field::allow, target.keepalive ? "POST" : "GET, HEAD, DELETE");
    reply(answer_with(std::move(response)));
    return;
  }
  if (action == LeaseAction::revoke) {
    backend_.revoke_lease(target.id, [reply, id = target.id](Result result) {
      reply([id, result = std::move(result)] {
        if (!result.ok()) return token_failure_response(result);
        return json_response(status::ok, Json{{"id", id}});
      });
    });
    return;
  }
  // Lease info lists only the keys the caller's token reaches.
  const std::string prefix = caller ? caller->prefix : std::string();
  auto render = [reply, with_keys = action == LeaseAction::read, prefix](LeaseResult answer) {
    reply([answer = std::move(answer), with_keys, prefix] {
      if (!answer.result.ok()) return token_failure_response(answer.result);
      Json body{{"id", answer.lease.id},
                {"ttl", format_duration(answer.lease.ttl)},
                {"remaining", format_duration(answer.lease.remaining)}};
      if (with_keys) {
        Json keys = Json::array();
        for (const std::string& key : answer.lease.keys) {
          if (key.starts_with(prefix)) keys.push_back(key);
        }
        body["keys"] = std::move(keys);
      }
      return json_response(status::ok, body);
    });
  };
  if (action == LeaseAction::keepalive) {
    backend_.keep_alive(target.id, std::move(render));
  } else {
    backend_.lease(target.id, std::move(render));
  }
}

void Router::serve_delete(std::string key, const QueryParams& params, const Reply& reply) {
  const auto expected = params.number("cas");
  backend_.remove(key, expected, [key, reply](Result result) {
    reply([key, result = std::move(result)] { return write_response(key, result); });
  });
}

void Router::serve_list(const QueryParams& params, const std::optional<TokenInfo>& caller,
                        const Reply& reply) {
  std::string prefix = params.text("prefix").value_or("");
  check_key_bound("prefix", prefix, limits_.max_key_bytes);
  if (caller) {
    // A wider prefix is narrowed to the token's: nothing it may not read is shown.
    std::optional<std::string> allowed = narrowed_prefix(*caller, prefix);
    if (!allowed) throw RequestError(status::forbidden, "permission denied");
    prefix = std::move(*allowed);
  }
  if (params.contains("wait")) {
    serve_prefix_wait(std::move(prefix), params, reply);
    return;
  }
  if (params.contains("consistency") && consistency_of(params) != Consistency::local) {
    throw RequestError(status::bad_request,
                       "prefix listing reads this replica's applied state: only "
                       "consistency=local is served");
  }
  params.duration("timeout", limits_.max_wait_timeout);  // validated like on any read
  const std::uint64_t limit = params.number("limit").value_or(limits_.default_list_limit);
  if (limit == 0) throw RequestError(status::bad_request, "bad limit: must be at least 1");
  const std::string after = params.text("after").value_or("");
  check_key_bound("after", after, limits_.max_key_bytes);

  ListResult list = backend_.list(
      prefix, after,
      static_cast<std::size_t>(std::min<std::uint64_t>(limit, limits_.max_list_limit)));
  reply([list = std::move(list)] {
    Response response = json_response(status::ok, list_json(list));
    response.set(index_header, std::to_string(list.index));
    return response;
  });
}

void Router::serve_prefix_wait(std::string prefix, const QueryParams& params, const Reply& reply) {
  const std::uint64_t after_index = params.number("wait").value();  // present: routed here
  const auto timeout = params.duration("timeout", limits_.max_wait_timeout);
  consistency_of(params);  // validated; a long poll reads local state anyway
  metrics_.long_poll_started();
  backend_.wait_prefix(prefix, after_index, timeout.value_or(limits_.default_wait_timeout),
                       [this, reply](std::vector<Change> changes, std::uint64_t index) {
                         metrics_.long_poll_finished();
                         reply([changes = std::move(changes), index] {
                           Response response =
                               json_response(status::ok, changes_json(changes, index));
                           response.set(index_header, std::to_string(index));
                           return response;
                         });
                       });
}

// Neither is bounded here: a change answers when it is in force or when the replica
// gives up (no quorum), however long carrying the keys over takes.
void Router::serve_member_add(const MemberToAdd& member, const Reply& reply) {
  backend_.add_member(member.id, member.peer_address, [reply](MembershipResult answer) {
    reply([answer = std::move(answer)] { return member_change_response(answer, true); });
  });
}

void Router::serve_member_remove(std::uint32_t id, const Reply& reply) {
  backend_.remove_member(id, [reply](MembershipResult answer) {
    reply([answer = std::move(answer)] { return member_change_response(answer, false); });
  });
}

void Router::serve_token_create(const TokenToCreate& token, const Reply& reply) {
  backend_.create_token(
      token.name, token.role, token.prefix, [reply, name = token.name](CreatedToken created) {
        reply([name, created = std::move(created)] {
          if (!created.result.ok()) return token_failure_response(created.result);
          return json_response(status::ok, Json{{"name", name}, {"token", created.token}});
        });
      });
}

void Router::serve_token_revoke(std::string name, const Reply& reply) {
  backend_.revoke_token(name, [reply, name](Result result) {
    reply([name, result = std::move(result)] {
      if (!result.ok()) return token_failure_response(result);
      return json_response(status::ok, Json{{"name", name}});
    });
  });
}

void Router::serve_metrics(const Reply& reply) {
  backend_.collect_metrics([this, reply](std::string text) {
    reply([this, text = std::move(text)]() mutable {
      if (!text.empty() && !text.ends_with('\n')) text += '\n';
      text += metrics_.render();
      return text_response(status::ok, "text/plain; version=0.0.4; charset=utf-8", std::move(text));
    });
  });
}

}  // namespace paxoskv::http

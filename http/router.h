// Maps a parsed request to the replica and renders the replica's answer: every route,
// parameter and error code of the API. Knows nothing of sockets, so tests drive it directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "http/access.h"
#include "http/backend.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/server_limits.h"

namespace paxoskv::http {

class QueryParams;
struct MemberToAdd;
struct TokenToCreate;
struct LeaseTarget;

class Router {
 public:
  // Renders the response. Whoever receives an Answer calls it, so rendering (JSON of up to
  // a whole value, base64) runs on the connection's thread, never on the replica's.
  using Answer = std::function<Response()>;
  // Receives the request's one Answer, possibly on another thread (the replica's).
  using Respond = std::function<void(Answer)>;
  // A body that comes in pieces (GET /v1/snapshot): each call gives the next, nullopt
  // after the last; it may throw std::runtime_error (the body is then cut short).
  using BodyStream = std::function<std::optional<std::string>()>;
  // Receives a streamed answer instead of an Answer: `head` (status and headers), then
  // the pieces of `body`, sent chunked.
  using RespondStream = std::function<void(Response head, BodyStream body)>;

  // With `access` enabled, requests need tokens as http/access.h says.
  Router(Backend& backend, ServerLimits limits, HttpMetrics& metrics, AccessControl access = {});

  // HEAD is answered as GET; leaving the body out is the caller's job.
  void handle(Request request, Respond respond, RespondStream respond_stream);
  // The same with streamed bodies read whole into an Answer (for tests).
  void handle(Request request, Respond respond);

 private:
  class Reply;

  // Serves `request` once its token's holder is known: nullopt for none (no token, an
  // unknown one, or authentication off).
  void serve(Request& request, const Reply& reply, const std::optional<TokenInfo>& holder);
  // The caller of a request that needs a token: nullopt when authentication is off or the
  // path needs none. Throws RequestError 401 or 403 when the token is missing, unknown or
  // its role is not enough.
  std::optional<TokenInfo> caller_of(const Request& request, std::string_view path,
                                     const std::optional<TokenInfo>& holder) const;
  bool is_root(std::string_view token) const;
  // Whose `token` is now (the root's, or one in the replica's table), or nullopt: for a
  // check again of a token accepted when its request began.
  std::optional<TokenInfo> holder_now(std::string_view token) const;
  void serve_key_read(std::string key, const QueryParams& params, const Reply& reply);
  void serve_put(std::string key, const QueryParams& params, std::string value, const Reply& reply);
  void serve_delete(std::string key, const QueryParams& params, const Reply& reply);
  void serve_list(const QueryParams& params, const std::optional<TokenInfo>& caller,
                  const Reply& reply);
  void serve_prefix_wait(std::string prefix, const QueryParams& params, const Reply& reply);
  void serve_member_add(const MemberToAdd& member, const Reply& reply);
  void serve_member_remove(std::uint32_t id, const Reply& reply);
  void serve_metrics(const Reply& reply);
  void serve_token_create(const TokenToCreate& token, const Reply& reply);
  void serve_token_revoke(std::string name, const Reply& reply);
  void serve_snapshot(const Reply& reply);
  void serve_lease_grant(std::chrono::milliseconds ttl, const Reply& reply);
  enum class LeaseAction { keepalive, read, revoke };
  void serve_lease(LeaseAction action, const LeaseTarget& target,
                   const std::optional<TokenInfo>& caller, const Reply& reply);

  Backend& backend_;
  ServerLimits limits_;
  HttpMetrics& metrics_;
  AccessControl access_;
};

}  // namespace paxoskv::http

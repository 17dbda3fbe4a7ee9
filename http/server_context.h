// What a Server's acceptor and its sessions share. Sessions hold it, so it outlives the
// Server object while connections wind down.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "http/backend.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server_limits.h"

namespace paxoskv::http {

class Session;

class ServerContext {
 public:
  // `backend` lives as long as the context (as the sessions that hold it).
  ServerContext(std::shared_ptr<Backend> backend, ServerLimits limits, AccessControl access = {});
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  const ServerLimits& limits() const { return limits_; }
  Router& router() { return router_; }
  HttpMetrics& metrics() { return metrics_; }

  // The open sessions: counted against max_connections, and stopped by stop_sessions().
  bool has_room_for_connection() const;
  void add(const std::shared_ptr<Session>& session);
  void remove(const Session* session);

  // Closes idle connections now and the others once their request is answered.
  void stop_sessions();

  // Thread-safe. The TLS context new connections are accepted with; null: plain text.
  std::shared_ptr<boost::asio::ssl::context> tls_context() const;
  void set_tls_context(std::shared_ptr<boost::asio::ssl::context> context);

 private:
  std::shared_ptr<Backend> backend_;
  ServerLimits limits_;
  HttpMetrics metrics_;
  Router router_;

  mutable std::mutex mutex_;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
};

}  // namespace paxoskv::http

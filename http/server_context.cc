#include "http/server_context.h"

#include <utility>
#include <vector>

#include "http/session.h"

namespace paxoskv::http {

ServerContext::ServerContext(std::shared_ptr<Backend> backend, ServerLimits limits,
                             AccessControl access)
    : backend_(std::move(backend)), limits_(limits), router_(*backend_, limits, metrics_, access) {}

bool ServerContext::has_room_for_connection() const {
  const std::lock_guard lock(mutex_);
  return sessions_.size() < limits_.max_connections;
}

void ServerContext::add(const std::shared_ptr<Session>& session) {
  {
    const std::lock_guard lock(mutex_);
    sessions_.emplace(session.get(), session);
  }
  metrics_.connection_opened();
}

void ServerContext::remove(const Session* session) {
  {
    const std::lock_guard lock(mutex_);
    if (sessions_.erase(session) == 0) return;
  }
  metrics_.connection_closed();
}

std::shared_ptr<boost::asio::ssl::context> ServerContext::tls_context() const {
  const std::lock_guard lock(mutex_);
  return tls_context_;
}

void ServerContext::set_tls_context(std::shared_ptr<boost::asio::ssl::context> context) {
  const std::lock_guard lock(mutex_);
  tls_context_ = std::move(context);
}

void ServerContext::stop_sessions() {
  std::vector<std::shared_ptr<Session>> open;
  {
    const std::lock_guard lock(mutex_);
    open.reserve(sessions_.size());
    for (const auto& [pointer, session] : sessions_) {
      if (auto alive = session.lock()) open.push_back(std::move(alive));
    }
  }
  for (const auto& session : open) session->stop();
}

}  // namespace paxoskv::http

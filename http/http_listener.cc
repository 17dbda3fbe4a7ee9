#include "paxoskv/http_listener.h"

#include <memory>
#include <stdexcept>

#include "http/node_backend.h"
#include "http/server.h"
#include "src/auth/token_secret.h"
#include "src/node_io.h"

namespace paxoskv {

namespace {

http::ServerLimits limits_of(const Node& node) {
  http::ServerLimits limits;
  limits.max_value_bytes = node.options().max_value_bytes;
  limits.max_key_bytes = node.options().max_key_bytes;
  return limits;
}

// The root token lives here only, hashed: it is never replicated.
http::AccessControl access_of(const HttpListenerOptions& options) {
  if (options.auth_root_token.empty()) return {};
  return http::AccessControl{auth::digest_of(options.auth_root_token)};
}

}  // namespace

// Served from the node's own thread: a request crosses no thread on its way, which saves
// two wake-ups per request. The connections share the backend, so that those still
// answering when the listener goes keep it.
class HttpListener::Impl {
 public:
  Impl(Node& node, const HttpListenerOptions& options)
      : server_(NodeIo::context(node), std::make_shared<http::NodeBackend>(node), limits_of(node),
                access_of(options)) {
    if (options.tls.enabled()) {
      throw std::invalid_argument("HttpListener: TLS is not built yet");
    }
    server_.listen(options.listen);
  }

  std::uint16_t port() const { return server_.port(); }

 private:
  http::Server server_;  // its destructor stops it
};

HttpListener::HttpListener(Node& node, const std::string& listen)
    : HttpListener(node, HttpListenerOptions{.listen = listen, .tls = {}, .auth_root_token = {}}) {}
HttpListener::HttpListener(Node& node, HttpListenerOptions options)
    : impl_(std::make_unique<Impl>(node, options)) {}
HttpListener::~HttpListener() = default;
std::uint16_t HttpListener::port() const {
  return impl_->port();
}

}  // namespace paxoskv

#include "paxoskv/http_listener.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <stdexcept>

#include "http/node_backend.h"
#include "http/server.h"
#include "src/auth/token_secret.h"
#include "src/node_io.h"
#include "src/tls/tls_context.h"

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

// TLS files without a certificate would serve plain text against the caller's intent.
void check_tls_files(const TlsFiles& files) {
  if (!files.enabled() &&
      (!files.key_file.empty() || !files.trusted_ca_file.empty() || files.client_cert_auth)) {
    throw std::invalid_argument("HttpListener: TLS needs a certificate file (tls.cert_file)");
  }
}

}  // namespace

// Served from the node's client threads (Options::client_threads), or without them from
// the replica's own thread, where a request crosses no thread on its way (two wake-ups
// fewer per request). The connections share the backend, so that those still answering
// when the listener goes keep it.
class HttpListener::Impl {
 public:
  Impl(Node& node, const HttpListenerOptions& options)
      : tls_files_(options.tls),
        server_(NodeIo::context(node), std::make_shared<http::NodeBackend>(node), limits_of(node),
                access_of(options)) {
    check_tls_files(tls_files_);
    if (tls_files_.enabled()) server_.use_tls(tls::make_server_context(tls_files_));
    server_.listen(options.listen);
  }

  std::uint16_t port() const { return server_.port(); }

  bool reload_certificates() {
    if (!tls_files_.enabled()) return true;
    try {
      server_.use_tls(tls::make_server_context(tls_files_));
    } catch (const std::exception& error) {
      spdlog::error("paxoskv http: keeping the client TLS certificates in use: {}", error.what());
      return false;
    }
    spdlog::info("paxoskv http: client TLS certificates reloaded from {}", tls_files_.cert_file);
    return true;
  }

 private:
  const TlsFiles tls_files_;
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
bool HttpListener::reload_certificates() {
  return impl_->reload_certificates();
}

}  // namespace paxoskv

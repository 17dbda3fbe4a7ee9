#include "paxoskv/http_listener.h"

#include <memory>

#include "http/node_backend.h"
#include "http/server.h"
#include "src/node_io.h"

namespace paxoskv {

namespace {

http::ServerLimits limits_of(const Node& node) {
  http::ServerLimits limits;
  limits.max_value_bytes = node.options().max_value_bytes;
  limits.max_key_bytes = node.options().max_key_bytes;
  return limits;
}

}  // namespace

// Served from the node's own thread: a request crosses no thread on its way, which saves
// two wake-ups per request. The connections share the backend, so that those still
// answering when the listener goes keep it.
class HttpListener::Impl {
 public:
  Impl(Node& node, const std::string& listen)
      : server_(NodeIo::context(node), std::make_shared<http::NodeBackend>(node), limits_of(node)) {
    server_.listen(listen);
  }

  std::uint16_t port() const { return server_.port(); }

 private:
  http::Server server_;  // its destructor stops it
};

HttpListener::HttpListener(Node& node, const std::string& listen)
    : impl_(std::make_unique<Impl>(node, listen)) {}
HttpListener::~HttpListener() = default;
std::uint16_t HttpListener::port() const {
  return impl_->port();
}

}  // namespace paxoskv

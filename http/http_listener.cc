#include "paxoskv/http_listener.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "http/node_backend.h"
#include "http/server.h"

namespace paxoskv {

class HttpListener::Impl {
 public:
  Impl(Node& node, const std::string& listen)
      : backend_(node), server_(io_, backend_, limits(node)) {
    server_.listen(listen);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Impl() {
    server_.stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return server_.port(); }

 private:
  static http::ServerLimits limits(const Node& node) {
    http::ServerLimits limits;
    limits.max_value_bytes = node.options().max_value_bytes;
    limits.max_key_bytes = node.options().max_key_bytes;
    return limits;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  http::NodeBackend backend_;
  http::Server server_;
  std::thread thread_;
};

HttpListener::HttpListener(Node& node, const std::string& listen)
    : impl_(std::make_unique<Impl>(node, listen)) {}
HttpListener::~HttpListener() = default;
std::uint16_t HttpListener::port() const {
  return impl_->port();
}

}  // namespace paxoskv

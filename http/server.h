// The client HTTP/1.1 front end of a replica: the HTTP API (README) over Boost.Beast.
//
// It runs on the io_context it is given; the caller runs that context's threads. Long
// polls hold no thread: a waiting connection is a callback the replica keeps.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "http/access.h"
#include "http/backend.h"
#include "http/server_limits.h"

namespace paxoskv::http {

class ClientAcceptor;
class ServerContext;

class Server {
 public:
  // `backend` must outlive every handler this server leaves on `io`.
  Server(boost::asio::io_context& io, Backend& backend, ServerLimits limits = {});
  // The handlers this server leaves on `io` share `backend`: it lives as long as they do,
  // so the Server may go before them.
  // With `access` enabled, requests need tokens (http/access.h).
  Server(boost::asio::io_context& io, std::shared_ptr<Backend> backend, ServerLimits limits = {},
         AccessControl access = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds "host:port" ("127.0.0.1:8001", "[::1]:8001", ":8001" for every address; port 0
  // picks a free one) and starts accepting. Throws std::runtime_error when the address is
  // malformed or cannot be bound, std::logic_error when already listening.
  void listen(const std::string& host_port);
  // Thread-safe. Connections accepted from now on speak TLS with `context` (null: plain
  // text); open ones keep what they started with.
  void use_tls(std::shared_ptr<boost::asio::ssl::context> context);
  // The bound port; 0 before listen().
  std::uint16_t port() const;
  // Thread-safe, idempotent. Stops accepting and closes idle connections; requests in
  // progress are answered, then their connections close.
  void stop();

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<ServerContext> context_;
  std::shared_ptr<ClientAcceptor> acceptor_;
  std::atomic<bool> stopped_{false};
};

}  // namespace paxoskv::http

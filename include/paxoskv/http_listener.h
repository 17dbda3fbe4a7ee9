// Serves a Node's HTTP/JSON API (the same as the paxoskv binary's) from inside a program.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "paxoskv/node.h"
#include "paxoskv/tls.h"

namespace paxoskv {

struct HttpListenerOptions {
  std::string listen;  // "host:port"; port 0 picks a free one
  TlsFiles tls;        // HTTPS only when tls.enabled()
  // Non-empty: authentication is on, and this is the root token (an admin for all keys).
  std::string auth_root_token;
};

class HttpListener {
 public:
  // Listens on "host:port" (port 0 picks a free one) and serves from the node's client
  // threads (Options::client_threads), or without them from the node's own thread. Throws
  // std::runtime_error if the address cannot be bound. `node` must outlive it.
  HttpListener(Node& node, const std::string& listen);
  // As above, with TLS and authentication as `options` say. Also throws
  // std::runtime_error when a certificate or key cannot be used.
  HttpListener(Node& node, HttpListenerOptions options);
  // Stops accepting and closes idle connections; requests in progress are still answered
  // while the node runs, then their connections close.
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  std::uint16_t port() const;

  // Thread-safe. Reads the TLS certificate, key and CA files again (they were rotated) and
  // accepts new connections with them; open connections keep the old ones. If they cannot
  // be used, logs an error, keeps the old ones and returns false. Without TLS: true.
  bool reload_certificates();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace paxoskv

// Where a replica's client API listens.
#pragma once

#include <string>

namespace paxoskv::http::client {

struct Endpoint {
  std::string host;  // a name or an address; IPv6 without the brackets
  std::string port;
  bool https = false;  // TLS; the server's certificate must name `host`

  // HOST:PORT (IPv6 in brackets): how a user writes it, and the Host header.
  std::string text() const;
  bool operator==(const Endpoint&) const = default;
};

}  // namespace paxoskv::http::client

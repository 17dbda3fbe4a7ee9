// Where a replica's client API listens.
#pragma once

#include <string>
#include <string_view>

namespace paxoskv::http::client {

struct Endpoint {
  std::string host;  // a name or an address; IPv6 without the brackets
  std::string port;
  bool https = false;  // TLS; the server's certificate must name `host`

  // HOST:PORT (IPv6 in brackets): how a user writes it, and the Host header.
  std::string text() const;
  bool operator==(const Endpoint&) const = default;
};

// Whether an endpoint as a user writes it is HTTPS: "https://..." is, "http://..." is not,
// one without either is when `https_by_default`. Removes that scheme from `text`.
bool take_scheme(std::string_view& text, bool https_by_default);

}  // namespace paxoskv::http::client

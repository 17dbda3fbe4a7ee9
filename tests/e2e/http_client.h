// A small synchronous HTTP/1.1 client for one replica: keep-alive, a deadline per request,
// HTTPS when given TLS files. The replica is on 127.0.0.1 unless another address is given.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/client/connection.h"
#include "paxoskv/tls.h"

namespace paxoskv::e2e {

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header named `name` (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
  // The body as JSON; throws nlohmann::json::parse_error if it is not.
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  HttpClient(std::string host, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // HTTPS: the replica's certificate must be signed by tls.trusted_ca_file and name `host`;
  // tls.cert_file, if any, is presented. Throws std::runtime_error on unusable files.
  HttpClient(std::string host, std::uint16_t port, const TlsFiles& tls,
             std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // The response, or nullopt when none came (refused, reset, closed, timed out): then
  // last_error() says why and the connection is dropped; the next request reconnects.
  std::optional<HttpResponse> request(boost::beast::http::verb method, const std::string& target,
                                      std::string body = {});
  std::optional<HttpResponse> get(const std::string& target) {
    return request(boost::beast::http::verb::get, target);
  }
  std::optional<HttpResponse> put(const std::string& target, std::string body) {
    return request(boost::beast::http::verb::put, target, std::move(body));
  }
  std::optional<HttpResponse> remove(const std::string& target) {
    return request(boost::beast::http::verb::delete_, target);
  }

  const std::string& last_error() const { return last_error_; }
  std::uint16_t port() const { return port_; }
  const std::string& host() const { return host_; }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  // Sent as "Authorization: Bearer <token>" with every request; empty: none.
  void set_token(std::string token) { token_ = std::move(token); }

 private:
  std::optional<HttpResponse> exchange(boost::beast::http::verb method, const std::string& target,
                                       std::string body);

  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  boost::asio::io_context io_;
  http::client::Connection connection_;
  std::string last_error_;
  std::string token_;
};

}  // namespace paxoskv::e2e

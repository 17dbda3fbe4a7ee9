// The HTTP client of the paxoskv API over a list of endpoints, with failover.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/client/connection.h"
#include "paxoskv/tls.h"
#include "tools/ctl/endpoint.h"

namespace paxoskv::ctl {

struct Request {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target;  // http/client/targets.h
  std::string body;
  // Extra time beyond the client's timeout: a long poll's own wait.
  std::chrono::milliseconds extra_time{0};

  // Whether sending it twice is harmless: writes are not, so a write whose endpoint
  // fails after the request may have left is never sent again.
  bool idempotent() const;
};

struct Answer {
  unsigned status = 0;
  std::string body;
  std::optional<std::uint64_t> index;    // X-Paxoskv-Index
  std::optional<std::uint64_t> version;  // X-Paxoskv-Version
  std::size_t endpoint = 0;              // which endpoint answered
};

// An endpoint that did not answer: why, and whether the request may have reached it.
struct Failure {
  std::string reason;
  bool request_may_have_arrived = false;
};

class Client {
 public:
  // `tls_files` serve the https endpoints. Throws std::runtime_error when they cannot be
  // used. A non-empty `token` goes with every request as "Authorization: Bearer <token>".
  Client(std::vector<Endpoint> endpoints, std::chrono::milliseconds timeout,
         const TlsFiles& tls_files = {}, std::string token = {});

  // Sends to the current endpoint (the first, until one fails), moving on to the next
  // ones while they cannot be reached; the one that answers becomes current.
  // Throws CtlError: unreachable when none answers; no_quorum ("outcome unknown") when a
  // write's endpoint failed after the request may have left.
  Answer send(const Request& request);

  // send() for an answer too large to hold (a snapshot): a 200's body goes to `on_body`
  // as it arrives and the Answer's body stays empty; other answers come whole. Moves on
  // to the next endpoint only while no byte of a body was handed on. Throws CtlError
  // (unreachable) when none answers, and (other) when the body breaks off.
  Answer send_streamed(const Request& request,
                       const std::function<void(std::string_view)>& on_body);

  // Sends to `endpoint` only.
  std::variant<Answer, Failure> send_to(std::size_t endpoint, const Request& request);

  std::size_t current() const { return current_; }
  // Makes the next endpoint (wrapping around) the current one.
  void move_to_next();

  const Endpoint& endpoint(std::size_t index) const { return endpoints_.at(index); }
  std::size_t size() const { return endpoints_.size(); }

 private:
  http::client::Connection& connection_to(std::size_t endpoint);

  boost::asio::io_context io_;
  std::vector<Endpoint> endpoints_;
  std::chrono::milliseconds timeout_;
  std::string token_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // null without https endpoints
  std::size_t current_ = 0;
  // At most one connection is open: requests follow the current endpoint.
  std::optional<http::client::Connection> connection_;
  std::size_t connection_endpoint_ = 0;
};

}  // namespace paxoskv::ctl

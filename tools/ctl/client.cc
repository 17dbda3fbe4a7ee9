#include "tools/ctl/client.h"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <string_view>

#include "http/api_names.h"
#include "http/client/answers.h"
#include "src/tls/tls_context.h"
#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {

namespace beast = boost::beast;
namespace http = beast::http;
using paxoskv::http::client::Connection;
using paxoskv::http::client::ExchangeResult;
using paxoskv::http::client::make_request;
using paxoskv::http::client::number_header;
using HttpRequest = paxoskv::http::client::Request;
using HttpResponse = paxoskv::http::client::Response;

namespace {

constexpr std::string_view user_agent = "paxoskvctl";

std::string describe(const boost::system::error_code& error) {
  if (error == beast::error::timeout) return "timed out";
  return error.message();
}

// A kept-alive connection the server had closed: the request was refused at once, with
// nothing back. (A timeout is no such sign: the replica may be hung.)
bool closed_while_idle(const ExchangeResult& result) {
  namespace errc = boost::asio::error;
  const auto& error = result.error;
  return result.nothing_received && (error == http::error::end_of_stream || error == errc::eof ||
                                     error == errc::connection_reset || error == errc::broken_pipe);
}

HttpRequest build(const Request& request, const Endpoint& endpoint, const std::string& token) {
  HttpRequest built = make_request(request.method, request.target, endpoint, request.body);
  built.set(http::field::user_agent, user_agent);
  if (!token.empty()) built.set(http::field::authorization, "Bearer " + token);
  if (built.has_content_length()) {
    built.set(http::field::content_type, "application/octet-stream");
  }
  return built;
}

}  // namespace

bool Request::idempotent() const {
  return method == http::verb::get || method == http::verb::head;
}

Client::Client(std::vector<Endpoint> endpoints, std::chrono::milliseconds timeout,
               const TlsFiles& tls_files, std::string token)
    : endpoints_(std::move(endpoints)), timeout_(timeout), token_(std::move(token)) {
  if (std::any_of(endpoints_.begin(), endpoints_.end(),
                  [](const Endpoint& endpoint) { return endpoint.https; })) {
    tls_ = tls::make_client_context(tls_files);
  }
}

void Client::move_to_next() {
  current_ = (current_ + 1) % endpoints_.size();
}

Connection& Client::connection_to(std::size_t endpoint) {
  if (!connection_ || connection_endpoint_ != endpoint) {
    connection_.reset();
    connection_.emplace(io_, endpoints_.at(endpoint), std::nullopt, tls_);
    connection_endpoint_ = endpoint;
  }
  return *connection_;
}

std::variant<Answer, Failure> Client::send_to(std::size_t endpoint, const Request& request) {
  Connection& connection = connection_to(endpoint);
  // A write goes on a fresh connection: were a reused one found closed, it could not
  // be told apart from a replica that failed while handling it.
  if (connection.is_open() && !request.idempotent()) connection.close();
  const HttpRequest built = build(request, connection.endpoint(), token_);
  // A reused keep-alive connection the server closed while idle: the request is sent
  // once more on a new connection.
  for (int attempt = 0;; ++attempt) {
    const bool reusing = connection.is_open();
    if (!reusing) {
      if (const auto error = connection.connect(timeout_)) {
        return Failure{"cannot connect: " + describe(error), false};
      }
    }
    ExchangeResult result = connection.exchange(built, timeout_ + request.extra_time);
    if (result.response) {
      const HttpResponse& response = *result.response;
      return Answer{response.result_int(), response.body(),
                    number_header(response, paxoskv::http::index_header),
                    number_header(response, paxoskv::http::version_header), endpoint};
    }
    if (!(reusing && attempt == 0 && closed_while_idle(result))) {
      return Failure{"no answer: " + describe(result.error), true};
    }
  }
}

Answer Client::send(const Request& request) {
  std::string reasons;
  for (std::size_t tried = 0; tried < endpoints_.size(); ++tried) {
    auto outcome = send_to(current_, request);
    if (auto* answer = std::get_if<Answer>(&outcome)) return std::move(*answer);
    const Failure& failure = std::get<Failure>(outcome);
    const std::string where = endpoints_[current_].text();
    if (failure.request_may_have_arrived && !request.idempotent()) {
      throw CtlError(ExitCode::no_quorum,
                     where + ": " + failure.reason + ": outcome unknown (a later read tells)");
    }
    reasons += (reasons.empty() ? "" : "; ") + where + ": " + failure.reason;
    move_to_next();
  }
  throw CtlError(ExitCode::unreachable, "no endpoint reachable (" + reasons + ")");
}

Answer Client::send_streamed(const Request& request,
                             const std::function<void(std::string_view)>& on_body) {
  std::string reasons;
  bool body_started = false;
  auto counting = [&](std::string_view piece) {
    body_started = true;
    on_body(piece);
  };
  for (std::size_t tried = 0; tried < endpoints_.size(); ++tried) {
    Connection& connection = connection_to(current_);
    const HttpRequest built = build(request, connection.endpoint(), token_);
    const std::string where = endpoints_[current_].text();
    std::string reason;
    if (!connection.is_open() || connection.closed_while_idle()) {
      if (const auto error = connection.connect(timeout_))
        reason = "cannot connect: " + describe(error);
    }
    if (reason.empty()) {
      ExchangeResult result =
          connection.exchange_streamed(built, timeout_ + request.extra_time, counting);
      if (result.response) {
        const HttpResponse& response = *result.response;
        return Answer{response.result_int(), response.body(),
                      number_header(response, paxoskv::http::index_header),
                      number_header(response, paxoskv::http::version_header), current_};
      }
      if (body_started) {
        throw CtlError(ExitCode::other, where + ": answer broke off: " + describe(result.error));
      }
      reason = "no answer: " + describe(result.error);
    }
    reasons += (reasons.empty() ? "" : "; ") + where + ": " + reason;
    move_to_next();
  }
  throw CtlError(ExitCode::unreachable, "no endpoint reachable (" + reasons + ")");
}

}  // namespace paxoskv::ctl

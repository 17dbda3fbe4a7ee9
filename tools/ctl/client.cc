#include "tools/ctl/client.h"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <charconv>

#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::string_view user_agent = "paxoskvctl";

std::optional<std::uint64_t> number_header(const HttpResponse& response, std::string_view name) {
  const auto found = response.find(name);
  if (found == response.end()) return std::nullopt;
  const std::string_view text = found->value();
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

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

HttpRequest build(const Request& request, const Endpoint& endpoint) {
  HttpRequest built(request.method, request.target, 11);
  built.set(http::field::host, endpoint.text());
  built.set(http::field::user_agent, user_agent);
  built.keep_alive(true);
  if (request.method == http::verb::put || !request.body.empty()) {
    built.set(http::field::content_type, "application/octet-stream");
    built.body() = request.body;
  }
  built.prepare_payload();
  return built;
}

}  // namespace

bool Request::idempotent() const {
  return method == http::verb::get || method == http::verb::head;
}

Client::Client(std::vector<Endpoint> endpoints, std::chrono::milliseconds timeout)
    : endpoints_(std::move(endpoints)), timeout_(timeout) {}

void Client::move_to_next() {
  current_ = (current_ + 1) % endpoints_.size();
}

Connection& Client::connection_to(std::size_t endpoint) {
  if (!connection_ || connection_endpoint_ != endpoint) {
    connection_.reset();
    connection_.emplace(io_, endpoints_.at(endpoint));
    connection_endpoint_ = endpoint;
  }
  return *connection_;
}

std::variant<Answer, Failure> Client::send_to(std::size_t endpoint, const Request& request) {
  Connection& connection = connection_to(endpoint);
  // A write goes on a fresh connection: were a reused one found closed, it could not
  // be told apart from a replica that failed while handling it.
  if (connection.is_open() && !request.idempotent()) connection.close();
  const HttpRequest built = build(request, connection.endpoint());
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
                    number_header(response, "X-Paxoskv-Index"),
                    number_header(response, "X-Paxoskv-Version"), endpoint};
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

}  // namespace paxoskv::ctl

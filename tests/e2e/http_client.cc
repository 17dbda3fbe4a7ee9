#include "tests/e2e/http_client.h"

#include <boost/beast/core/string.hpp>

#include "src/tls/tls_context.h"

namespace paxoskv::e2e {

namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;

namespace {

// Responses carry values of up to the replica's largest (64 MiB at most).
constexpr std::uint64_t kMaxResponseBody = 80ULL << 20;

// What is left of the request's time at `deadline`.
std::chrono::milliseconds until(Clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (beast::iequals(field, name)) return value;
  }
  return std::nullopt;
}

HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout)
    : HttpClient("127.0.0.1", port, timeout) {}

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)),
      port_(port),
      timeout_(timeout),
      connection_(io_, http::client::Endpoint{host_, std::to_string(port_), false},
                  kMaxResponseBody) {}

HttpClient::HttpClient(std::string host, std::uint16_t port, const TlsFiles& tls,
                       std::chrono::milliseconds timeout)
    : host_(std::move(host)),
      port_(port),
      timeout_(timeout),
      connection_(io_, http::client::Endpoint{host_, std::to_string(port_), true}, kMaxResponseBody,
                  tls::make_client_context(tls)) {}

std::optional<HttpResponse> HttpClient::request(beast::http::verb method, const std::string& target,
                                                std::string body) {
  last_error_.clear();
  auto response = exchange(method, target, std::move(body));
  if (!response) connection_.close();
  return response;
}

std::optional<HttpResponse> HttpClient::exchange(beast::http::verb method,
                                                 const std::string& target, std::string body) {
  const auto deadline = Clock::now() + timeout_;
  // A replica that stopped or restarted closed its end: connect afresh rather than send a
  // request into a connection that is known to be dead.
  if (connection_.closed_while_idle()) connection_.close();
  if (!connection_.is_open()) {
    if (const auto error = connection_.connect(until(deadline))) {
      last_error_ = "connect: " + error.message();
      return std::nullopt;
    }
  }
  auto request =
      http::client::make_request(method, target, connection_.endpoint(), std::move(body));
  if (!token_.empty()) request.set(beast::http::field::authorization, "Bearer " + token_);
  auto result = connection_.exchange(request, until(deadline));
  if (!result.response) {
    last_error_ = (result.failed_reading ? "read: " : "write: ") + result.error.message();
    return std::nullopt;
  }
  HttpResponse response;
  response.status = static_cast<int>(result.response->result_int());
  for (const auto& field : *result.response) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(result.response->body());
  return response;
}

}  // namespace paxoskv::e2e

#include "tests/e2e/http_client.h"

#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>

namespace paxoskv::e2e {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Responses carry values of up to the replica's largest (64 MiB at most).
constexpr std::uint64_t kMaxResponseBody = 80ULL << 20;

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Runs one asynchronous operation to completion on `io`: Beast's tcp_stream deadlines only
// apply to asynchronous operations.
template <typename Start>
beast::error_code run_one(asio::io_context& io, Start start) {
  beast::error_code result = asio::error::would_block;
  start([&result](beast::error_code error, auto&&...) { result = error; });
  io.restart();
  io.run();
  return result;
}

// Whether the server has closed (or reset) a kept-alive connection while it sat idle: it
// never sends anything between responses, so any readable event means the end.
bool closed_while_idle(asio::ip::tcp::socket& socket) {
  pollfd descriptor{};
  descriptor.fd = socket.native_handle();
  descriptor.events = POLLIN | POLLRDHUP;
  return ::poll(&descriptor, 1, 0) != 0;
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (equal_ignoring_case(field, name)) return value;
  }
  return std::nullopt;
}

HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout)
    : HttpClient("127.0.0.1", port, timeout) {}

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

void HttpClient::disconnect() {
  if (stream_) {
    beast::error_code ignored;
    stream_->socket().close(ignored);
    stream_.reset();
  }
  buffer_.clear();
}

std::optional<HttpResponse> HttpClient::request(http::verb method, const std::string& target,
                                                std::string body) {
  last_error_.clear();
  auto response = exchange(method, target, std::move(body));
  if (!response) disconnect();
  return response;
}

std::optional<HttpResponse> HttpClient::exchange(http::verb method, const std::string& target,
                                                 std::string body) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  // A replica that stopped or restarted closed its end: connect afresh rather than send a
  // request into a connection that is known to be dead.
  if (stream_ && closed_while_idle(stream_->socket())) disconnect();
  if (!stream_) {
    stream_.emplace(io_);
    stream_->expires_at(deadline);
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(host_), port_);
    if (const auto error =
            run_one(io_, [&](auto done) { stream_->async_connect(endpoint, done); })) {
      last_error_ = "connect: " + error.message();
      return std::nullopt;
    }
  }

  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, host_ + ":" + std::to_string(port_));
  request.keep_alive(true);
  if (method == http::verb::put || method == http::verb::post || !body.empty()) {
    request.body() = std::move(body);
    request.prepare_payload();
  }
  stream_->expires_at(deadline);
  if (const auto error =
          run_one(io_, [&](auto done) { http::async_write(*stream_, request, done); })) {
    last_error_ = "write: " + error.message();
    return std::nullopt;
  }

  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  parser.skip(method == http::verb::head);
  stream_->expires_at(deadline);
  if (const auto error =
          run_one(io_, [&](auto done) { http::async_read(*stream_, buffer_, parser, done); })) {
    last_error_ = "read: " + error.message();
    return std::nullopt;
  }
  auto message = parser.release();
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  if (!message.keep_alive()) disconnect();
  return response;
}

}  // namespace paxoskv::e2e

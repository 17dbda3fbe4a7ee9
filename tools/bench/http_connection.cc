#include "http_connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <tuple>

namespace paxoskv::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

// Failures come back as values: a dead server must not cost an exception per request.
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// Larger answers than any value the benchmark writes (paxoskv's limit is 1 MiB).
constexpr std::uint64_t kBodyLimit = 64 * 1024 * 1024;

}  // namespace

HttpConnection::HttpConnection(const asio::any_io_executor& executor,
                               asio::ip::tcp::endpoint endpoint, std::string host,
                               std::shared_ptr<asio::ssl::context> tls)
    : executor_(executor),
      endpoint_(std::move(endpoint)),
      host_(std::move(host)),
      tls_(std::move(tls)) {}

void HttpConnection::close() {
  if (stream_) {
    beast::error_code ignored;
    stream_->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.reset();
  }
  buffer_.clear();
  connected_ = false;
}

asio::awaitable<ExchangeStatus> HttpConnection::exchange(std::array<asio::const_buffer, 2> request,
                                                         Clock::time_point timeout_at,
                                                         Clock::time_point stop_at) {
  const bool stop_first = stop_at <= timeout_at;
  const auto expired = [&] {
    return stop_first ? ExchangeStatus::stopped : ExchangeStatus::timed_out;
  };
  if (!connected_) {
    stream_.emplace(executor_, tls_);
    stream_->tcp().expires_at(stop_first ? stop_at : timeout_at);
    auto [error] = co_await stream_->tcp().async_connect(endpoint_, kNoThrow);
    if (!error) {
      stream_->socket().set_option(asio::ip::tcp::no_delay(true));
      stream_->expect_server_name(host_);
      std::tie(error) = co_await stream_->async_handshake(asio::ssl::stream_base::client, kNoThrow);
    }
    if (error) {
      close();
      co_return error == beast::error::timeout ? expired() : ExchangeStatus::connect_failed;
    }
    connected_ = true;
  }
  stream_->tcp().expires_at(stop_first ? stop_at : timeout_at);

  if (const auto [error, written] = co_await asio::async_write(*stream_, request, kNoThrow);
      error) {
    close();
    co_return error == beast::error::timeout ? expired() : ExchangeStatus::broken;
  }

  body_.clear();  // a reply without a body leaves it untouched
  parser_.emplace(body_);
  parser_->body_limit(kBodyLimit);
  if (const auto [error, read] =
          co_await beast::http::async_read(*stream_, buffer_, *parser_, kNoThrow);
      error) {
    close();
    co_return error == beast::error::timeout ? expired() : ExchangeStatus::broken;
  }
  if (!parser_->keep_alive()) close();
  co_return ExchangeStatus::answered;
}

Reply HttpConnection::reply() const {
  return Reply{parser_->status(), body_};
}

}  // namespace paxoskv::bench

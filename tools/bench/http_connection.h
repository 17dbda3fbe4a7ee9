// One keep-alive HTTP/1.1 (or HTTPS) client connection with one request in flight at a
// time.
// It connects lazily and again after any failure, so a replica that restarts mid-run
// costs errors, not the connection.
//
// The benchmark's own variant of http/client/connection.h, which blocks its thread for
// each exchange: here one thread drives every connection of its share as coroutines on
// one event loop, with requests preformatted into reused buffers. With one client thread
// on a 3-replica loopback cluster (2 cores, 2026-12-07, 5 s runs), 16 connections gave
// 5,500 puts/s and 52,000 local gets/s where one connection at a time gave 1,000 and
// 5,500-40,000: a blocking connection would need a thread per connection to load a
// cluster. Encoding and the API's names come from http/ like everywhere else.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "protocol.h"
#include "reply_parser.h"
#include "src/tls/stream.h"

namespace paxoskv::bench {

using Clock = std::chrono::steady_clock;

enum class ExchangeStatus {
  answered,        // reply() holds the answer, whatever its status
  connect_failed,  // could not connect (refused, unreachable, or timed out connecting)
  timed_out,       // no (complete) answer within the request deadline
  broken,          // the connection failed mid-request (reset, closed, garbage)
  stopped,         // the run ended first: not an error
};

class HttpConnection {
 public:
  // With a `tls` context the connection speaks HTTPS, to a server whose certificate names
  // `host`.
  HttpConnection(const boost::asio::any_io_executor& executor,
                 boost::asio::ip::tcp::endpoint endpoint, std::string host,
                 std::shared_ptr<boost::asio::ssl::context> tls);

  // Sends `request` and reads the answer. The exchange gives up at `timeout_at` (an
  // error) or at `stop_at` (the end of the run), whichever comes first.
  boost::asio::awaitable<ExchangeStatus> exchange(std::array<boost::asio::const_buffer, 2> request,
                                                  Clock::time_point timeout_at,
                                                  Clock::time_point stop_at);

  // The last answer; valid until the next exchange.
  Reply reply() const;

 private:
  void close();

  boost::asio::any_io_executor executor_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::string host_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  // Made afresh for each connection: a TLS stream is not used again once it closed.
  std::optional<tls::Stream> stream_;
  boost::beast::flat_buffer buffer_;
  // A parser reads one message; a fresh one is emplaced in place for each answer.
  std::optional<ReplyParser> parser_;
  std::string body_;
  bool connected_ = false;
};

}  // namespace paxoskv::bench

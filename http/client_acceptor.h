// Accepts client connections and starts a Session for each, up to max_connections.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <memory>

namespace paxoskv::http {

class ServerContext;

class ClientAcceptor : public std::enable_shared_from_this<ClientAcceptor> {
 public:
  // Binds at once; throws boost::system::system_error when it cannot.
  ClientAcceptor(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                 std::shared_ptr<ServerContext> context);

  void start();
  // Thread-safe: stops accepting.
  void stop();
  const boost::asio::ip::tcp::endpoint& local_endpoint() const { return local_endpoint_; }

 private:
  void accept();
  void on_accept(boost::system::error_code error, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::shared_ptr<ServerContext> context_;
  boost::asio::ip::tcp::endpoint local_endpoint_;
  bool stopped_ = false;
  bool rejecting_ = false;  // to log the start of a run of rejections once, not each one
};

}  // namespace paxoskv::http

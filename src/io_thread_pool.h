// An io_context run by threads of its own: the threads a Node serves its clients from
// (Options::client_threads), so that HTTP parsing, TLS and local reads use every core
// while the replica's thread runs the consensus core.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

namespace paxoskv {

class IoThreadPool {
 public:
  // Starts `threads` threads running the context, named `name` (as top -H shows them).
  IoThreadPool(std::size_t threads, const std::string& name);
  // Stops the threads; handlers left on the context are destroyed without running.
  ~IoThreadPool();
  IoThreadPool(const IoThreadPool&) = delete;
  IoThreadPool& operator=(const IoThreadPool&) = delete;

  boost::asio::io_context& context() { return io_; }
  std::size_t size() const { return threads_.size(); }
  // Handlers not run by now never run; waits for the threads to end. Idempotent; not from
  // one of the pool's threads.
  void stop();

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

}  // namespace paxoskv

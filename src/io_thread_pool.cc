#include "src/io_thread_pool.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <exception>

namespace paxoskv {

IoThreadPool::IoThreadPool(std::size_t threads, const std::string& name)
    : io_(static_cast<int>(threads)), work_(boost::asio::make_work_guard(io_)) {
  // Linux allows 15 characters and the end.
  const std::string thread_name = name.substr(0, 15);
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this, thread_name] {
      pthread_setname_np(pthread_self(), thread_name.c_str());
      // A handler that throws is a bug: log it and keep serving the other connections,
      // as the replica's own thread would not (it stops the process), since no state of the
      // replica lives here.
      for (;;) {
        try {
          io_.run();
          return;
        } catch (const std::exception& error) {
          spdlog::error("{}: a handler failed: {}", thread_name, error.what());
        }
      }
    });
  }
}

IoThreadPool::~IoThreadPool() {
  stop();
}

void IoThreadPool::stop() {
  work_.reset();
  io_.stop();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

}  // namespace paxoskv

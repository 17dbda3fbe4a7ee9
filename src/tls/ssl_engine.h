// One TLS connection's OpenSSL state, with memory buffers for its network side: the
// stream above feeds it the bytes it read from the network and sends the bytes it makes.
// Each call is one OpenSSL operation, with nothing asynchronous in it.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <memory>
#include <string>

namespace paxoskv::tls {

class SslEngine {
 public:
  // What an operation needs before it can go on.
  enum class Want {
    nothing,  // done (or failed: see error)
    input,    // more bytes from the network
  };
  struct Step {
    Want want = Want::nothing;
    std::size_t bytes = 0;  // plaintext read or written
    boost::system::error_code error;
  };

  explicit SslEngine(boost::asio::ssl::context& context);
  SslEngine(const SslEngine&) = delete;
  SslEngine& operator=(const SslEngine&) = delete;

  SSL* native_handle() const { return ssl_.get(); }

  Step handshake(boost::asio::ssl::stream_base::handshake_type side);
  Step read(void* data, std::size_t size);
  Step write(const void* data, std::size_t size);
  // Sends close_notify; done once the other side's close_notify came too.
  Step shutdown();

  // Bytes read from the network, for the operations to come.
  void put_input(const char* data, std::size_t size);
  // Whether bytes from the network wait to be read (else a read surely wants input).
  bool has_input() const;
  // Whether the operations made bytes to send; take_output appends them to `to`.
  bool has_output() const;
  void take_output(std::string& to);
  // Whether the other side ended TLS with close_notify (so an end of the connection after
  // it is no truncation).
  bool received_close_notify() const;

 private:
  Step finish(int result, std::size_t bytes);

  struct FreeSsl {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };
  std::unique_ptr<SSL, FreeSsl> ssl_;
  BIO* input_;   // owned by ssl_
  BIO* output_;  // owned by ssl_
  bool side_set_ = false;
};

}  // namespace paxoskv::tls

// One TLS connection's OpenSSL state, with buffers of its own for its network side: the
// stream above feeds it the bytes it read from the network and sends the bytes it makes.
// Each call is one OpenSSL operation, with nothing asynchronous in it.
//
// The network side is a BIO of ours over two plain buffers rather than OpenSSL's memory
// BIOs: the stream reads from the network straight into the input buffer
// (input_space, commit_input) and takes the output by swapping strings, and asking what
// is pending is a size, not a BIO_ctrl call. Memory BIOs cost per record a copy each way,
// zeroed growth of their buffer and a move of what is left after each read.
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

  // Bytes read from the network, for the operations to come (copied).
  void put_input(const char* data, std::size_t size);
  // Room for at least `size` bytes from the network after those not yet taken, to read
  // into; commit_input(n) then hands the first n of them to the operations to come. The
  // room stays valid, and commit_input applies to it, while no other input_space or
  // put_input and no read, handshake or shutdown runs in between (a write may).
  char* input_space(std::size_t size);
  void commit_input(std::size_t size);
  // Whether bytes from the network wait to be read (else a read surely wants input).
  bool has_input() const;
  // Whether the operations made bytes to send; take_output appends them to `to` (moves
  // them there when `to` is empty).
  bool has_output() const;
  void take_output(std::string& to);
  // Whether the other side ended TLS with close_notify (so an end of the connection after
  // it is no truncation).
  bool received_close_notify() const;

 private:
  Step finish(int result, std::size_t bytes);

  // The BIO's side (see ssl_engine.cc).
  friend struct EngineBio;
  // Up to `size` bytes of the input into `to`; how many (0: none is here).
  std::size_t take_input(char* to, std::size_t size);

  struct FreeSsl {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };
  std::unique_ptr<SSL, FreeSsl> ssl_;
  bool side_set_ = false;
  // Network bytes in: those of [input_begin_, input_end_) are not yet taken by OpenSSL.
  std::unique_ptr<char[]> input_;
  std::size_t input_capacity_ = 0;
  std::size_t input_begin_ = 0;
  std::size_t input_end_ = 0;
  // Network bytes out, made by OpenSSL, not yet taken.
  std::string output_;
};

}  // namespace paxoskv::tls

#include "src/tls/ssl_engine.h"

#include <openssl/bio.h>
#include <openssl/err.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/system/system_error.hpp>

namespace paxoskv::tls {

namespace {

namespace ssl = boost::asio::ssl;
using boost::system::error_code;

// The first error OpenSSL queued, as Asio reports it; the queue is left empty.
error_code take_queued_error() {
  const unsigned long queued = ERR_get_error();
  ERR_clear_error();
  if (queued == 0) return ssl::error::stream_truncated;
  return error_code(static_cast<int>(queued), boost::asio::error::get_ssl_category());
}

BIO* new_memory_bio() {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) throw boost::system::system_error(take_queued_error(), "TLS: BIO_new");
  // Empty means "more to come", not the end of the stream.
  BIO_set_mem_eof_return(bio, -1);
  return bio;
}

}  // namespace

SslEngine::SslEngine(ssl::context& context) : ssl_(SSL_new(context.native_handle())) {
  if (!ssl_) throw boost::system::system_error(take_queued_error(), "TLS: SSL_new");
  input_ = new_memory_bio();
  output_ = BIO_new(BIO_s_mem());
  if (output_ == nullptr) {
    BIO_free(input_);
    throw boost::system::system_error(take_queued_error(), "TLS: BIO_new");
  }
  SSL_set_bio(ssl_.get(), input_, output_);  // ssl_ owns both from here
  // Whole records (and more) are taken from the input at once, not header and body apart.
  SSL_set_read_ahead(ssl_.get(), 1);
}

SslEngine::Step SslEngine::handshake(ssl::stream_base::handshake_type side) {
  if (!side_set_) {
    if (side == ssl::stream_base::client) {
      SSL_set_connect_state(ssl_.get());
    } else {
      SSL_set_accept_state(ssl_.get());
    }
    side_set_ = true;
  }
  ERR_clear_error();
  return finish(SSL_do_handshake(ssl_.get()), 0);
}

SslEngine::Step SslEngine::read(void* data, std::size_t size) {
  ERR_clear_error();
  std::size_t bytes = 0;
  const int result = SSL_read_ex(ssl_.get(), data, size, &bytes);
  return finish(result, bytes);
}

SslEngine::Step SslEngine::write(const void* data, std::size_t size) {
  ERR_clear_error();
  std::size_t bytes = 0;
  const int result = SSL_write_ex(ssl_.get(), data, size, &bytes);
  return finish(result, bytes);
}

SslEngine::Step SslEngine::shutdown() {
  ERR_clear_error();
  const int result = SSL_shutdown(ssl_.get());
  if (result == 1) return {};
  if (result == 0) return {Want::input, 0, {}};  // ours is sent; theirs is to come
  return finish(result, 0);
}

SslEngine::Step SslEngine::finish(int result, std::size_t bytes) {
  if (result > 0) return {Want::nothing, bytes, {}};
  switch (SSL_get_error(ssl_.get(), result)) {
    case SSL_ERROR_WANT_READ:
      return {Want::input, 0, {}};
    case SSL_ERROR_ZERO_RETURN:
      return {Want::nothing, 0, boost::asio::error::eof};
    default:
      return {Want::nothing, 0, take_queued_error()};
  }
}

void SslEngine::put_input(const char* data, std::size_t size) {
  // A memory BIO grows as needed: all of it is taken.
  BIO_write(input_, data, static_cast<int>(size));
}

bool SslEngine::has_input() const {
  return BIO_ctrl_pending(input_) > 0 || SSL_has_pending(ssl_.get()) == 1;
}

bool SslEngine::has_output() const {
  return BIO_ctrl_pending(output_) > 0;
}

void SslEngine::take_output(std::string& to) {
  // Read out rather than reset: resetting a memory BIO clears all of its memory.
  const std::size_t pending = BIO_ctrl_pending(output_);
  if (pending == 0) return;
  const std::size_t start = to.size();
  to.resize(start + pending);
  const int taken = BIO_read(output_, to.data() + start, static_cast<int>(pending));
  to.resize(start + static_cast<std::size_t>(std::max(taken, 0)));
}

bool SslEngine::received_close_notify() const {
  return (SSL_get_shutdown(ssl_.get()) & SSL_RECEIVED_SHUTDOWN) != 0;
}

}  // namespace paxoskv::tls

#include "src/tls/ssl_engine.h"

#include <openssl/bio.h>
#include <openssl/err.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/system/system_error.hpp>
#include <exception>

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

// Before an operation: SSL_get_error reads any error queued as the operation's. Asking
// first is cheaper than clearing an empty queue (which walks all of its entries), and
// SSL_get_error asks the same question (ERR_peek_error), so nothing it sees is left.
void clear_queued_errors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

// The input buffer's first size, and what a grown one holds at least.
constexpr std::size_t kInputBytes = 32 * 1024;

}  // namespace

// The BIO under an engine's SSL: reads take the engine's input, writes append to its
// output. Empty input means "more to come" (a retry), never the end of the stream.
struct EngineBio {
  static SslEngine& engine(BIO* bio) { return *static_cast<SslEngine*>(BIO_get_data(bio)); }

  static int read(BIO* bio, char* to, int size) {
    BIO_clear_retry_flags(bio);
    if (size <= 0) return 0;
    const std::size_t taken = engine(bio).take_input(to, static_cast<std::size_t>(size));
    if (taken == 0) {
      BIO_set_retry_read(bio);
      return -1;
    }
    return static_cast<int>(taken);
  }

  static int write(BIO* bio, const char* from, int size) {
    BIO_clear_retry_flags(bio);
    if (size <= 0) return 0;
    try {
      engine(bio).output_.append(from, static_cast<std::size_t>(size));
    } catch (const std::exception&) {
      return -1;  // out of memory: nothing may be thrown through OpenSSL
    }
    return size;
  }

  static long ctrl(BIO* bio, int command, long, void*) {
    switch (command) {
      case BIO_CTRL_FLUSH:
        return 1;  // nothing is held back
      case BIO_CTRL_PENDING: {
        const SslEngine& e = engine(bio);
        return static_cast<long>(e.input_end_ - e.input_begin_);
      }
      case BIO_CTRL_WPENDING:
        return static_cast<long>(engine(bio).output_.size());
      default:
        return 0;  // not supported
    }
  }

  static int create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
  }

  struct FreeMethod {
    void operator()(BIO_METHOD* method) const { BIO_meth_free(method); }
  };

  // Made once, then only read (OpenSSL keeps a pointer to it in every BIO).
  static const BIO_METHOD* method() {
    static const std::unique_ptr<BIO_METHOD, FreeMethod> made = [] {
      std::unique_ptr<BIO_METHOD, FreeMethod> m(
          BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "paxoskv engine"));
      if (!m || BIO_meth_set_read(m.get(), &EngineBio::read) != 1 ||
          BIO_meth_set_write(m.get(), &EngineBio::write) != 1 ||
          BIO_meth_set_ctrl(m.get(), &EngineBio::ctrl) != 1 ||
          BIO_meth_set_create(m.get(), &EngineBio::create) != 1) {
        throw boost::system::system_error(take_queued_error(), "TLS: BIO_meth_new");
      }
      return m;
    }();
    return made.get();
  }
};

SslEngine::SslEngine(ssl::context& context) : ssl_(SSL_new(context.native_handle())) {
  if (!ssl_) throw boost::system::system_error(take_queued_error(), "TLS: SSL_new");
  BIO* bio = BIO_new(EngineBio::method());
  if (bio == nullptr) throw boost::system::system_error(take_queued_error(), "TLS: BIO_new");
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_.get(), bio, bio);  // ssl_ owns it from here (one reference for both)
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
  clear_queued_errors();
  return finish(SSL_do_handshake(ssl_.get()), 0);
}

SslEngine::Step SslEngine::read(void* data, std::size_t size) {
  clear_queued_errors();
  std::size_t bytes = 0;
  const int result = SSL_read_ex(ssl_.get(), data, size, &bytes);
  return finish(result, bytes);
}

SslEngine::Step SslEngine::write(const void* data, std::size_t size) {
  clear_queued_errors();
  std::size_t bytes = 0;
  const int result = SSL_write_ex(ssl_.get(), data, size, &bytes);
  return finish(result, bytes);
}

SslEngine::Step SslEngine::shutdown() {
  clear_queued_errors();
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
  if (size == 0) return;
  std::copy_n(data, size, input_space(size));
  commit_input(size);
}

char* SslEngine::input_space(std::size_t size) {
  const std::size_t kept = input_end_ - input_begin_;
  if (input_capacity_ - input_end_ < size) {
    if (input_capacity_ - kept >= size) {
      // Room enough once what is kept moves to the front (usually nothing is kept).
      std::copy(input_.get() + input_begin_, input_.get() + input_end_, input_.get());
    } else {
      const std::size_t capacity = std::max({kInputBytes, kept + size, 2 * input_capacity_});
      auto grown = std::make_unique_for_overwrite<char[]>(capacity);
      std::copy(input_.get() + input_begin_, input_.get() + input_end_, grown.get());
      input_ = std::move(grown);
      input_capacity_ = capacity;
    }
    input_begin_ = 0;
    input_end_ = kept;
  }
  return input_.get() + input_end_;
}

void SslEngine::commit_input(std::size_t size) {
  input_end_ += std::min(size, input_capacity_ - input_end_);
}

std::size_t SslEngine::take_input(char* to, std::size_t size) {
  const std::size_t taken = std::min(size, input_end_ - input_begin_);
  std::copy_n(input_.get() + input_begin_, taken, to);
  input_begin_ += taken;
  if (input_begin_ == input_end_) input_begin_ = input_end_ = 0;
  return taken;
}

bool SslEngine::has_input() const {
  return input_end_ > input_begin_ || SSL_has_pending(ssl_.get()) == 1;
}

bool SslEngine::has_output() const {
  return !output_.empty();
}

void SslEngine::take_output(std::string& to) {
  if (to.empty()) {
    to.swap(output_);  // each keeps a buffer: neither allocates again
  } else {
    to += output_;
  }
  output_.clear();
}

bool SslEngine::received_close_notify() const {
  return (SSL_get_shutdown(ssl_.get()) & SSL_RECEIVED_SHUTDOWN) != 0;
}

}  // namespace paxoskv::tls

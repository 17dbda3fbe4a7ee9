// Fuzz target: the bytes the other side of a TLS connection sends, to one of our TLS
// engines (src/tls/ssl_engine.h) with a context as our listeners and clients build it
// (tls_fixture.h). The bytes go through the engine's in-memory network buffers as the
// stream (src/tls/ssl_stream.h) hands them over, in chunks: the handshake is driven until
// it succeeds or fails, then what arrives is read, each piece read answered with a write
// (as a server answers a request), and the connection ends with a shutdown.
//
// Input: the first byte picks the engine (its low three bits: Kind below). Then chunks:
// a byte n, then n bytes (fewer at the end); n = 0 takes the rest at once.
//
// OpenSSL's randomness is fixed (fixed_random.h) and starts afresh for each input, so an
// input always takes the same path, and a handshake recorded in the seed corpus
// (corpus_writer.cc) completes when replayed: the fuzzer starts from whole conversations.
//
// Beyond memory safety it checks the promises the listeners rely on:
// - a context that requires a client certificate (the peer listener, the client listener
//   with --client-cert-auth) completes a handshake only with a certificate that verified;
//   a client completes one only with a server certificate that verified; a certificate
//   given to the client listener's optional check verified too;
// - a completed handshake is TLS 1.2 or later with a forward-secret AEAD cipher;
// - a failure is an error with a message, and leaves OpenSSL's error queue empty (it is
//   per thread: a leftover would be taken for the next error on it);
// - a read without input waiting wants input (the stream reads the network then without
//   asking OpenSSL), a write never waits for input, and a shutdown completes only after
//   the other side's close_notify.
#include <openssl/err.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "src/tls/ssl_engine.h"
#include "tests/fuzz/fixed_random.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/tls_fixture.h"

namespace paxoskv::fuzz {

// OpenSSL is the system's library, built without the fuzzer's coverage instrumentation:
// how far it got is told to the fuzzer through libFuzzer's extra counters instead (a
// section it reads as coverage), one per handshake state and one per error reason, so
// that inputs reaching a new state or a new refusal are kept. Written only by the engine's
// steps below; outside the fuzzer nothing reads it.
constexpr std::size_t kStateCounters = 128;
constexpr std::size_t kReasonCounters = 896;
[[gnu::used, gnu::section("__libfuzzer_extra_counters")]] std::uint8_t
    tls_progress_counters[kStateCounters + kReasonCounters];

namespace {

using tls::SslEngine;
using Want = SslEngine::Want;
using Side = boost::asio::ssl::stream_base::handshake_type;

enum class Kind : std::uint8_t {
  https,             // client listener, no client certificates
  https_optional,    // client listener with a trusted CA: optional client certificates
  https_required,    // client listener with --client-cert-auth
  peer_server,       // peer listener: mutual TLS
  peer_client,       // the peer dialer, answered by a malicious server
  anonymous_client,  // paxoskvctl or the benchmark, answered by a malicious server
};

// The mode byte's low three bits; the peer's two sides twice.
constexpr std::array<Kind, 8> kKinds = {
    Kind::https,       Kind::https_optional,   Kind::https_required, Kind::peer_server,
    Kind::peer_client, Kind::anonymous_client, Kind::peer_server,    Kind::peer_client,
};

// Plaintext taken by one read, as the stream's callers ask (a frame batch, an HTTP buffer).
constexpr std::size_t kReadBytes = 16 * 1024;
// Enough to finish any handshake; a bound on work per input all the same.
constexpr int kMaxSteps = 4096;

bool is_client(Kind kind) {
  return kind == Kind::peer_client || kind == Kind::anonymous_client;
}

bool requires_certificate(Kind kind) {
  return kind == Kind::https_required || kind == Kind::peer_server || is_client(kind);
}

const TlsFixture::Context& context_of(Kind kind) {
  const TlsFixture& fixture = tls_fixture();
  switch (kind) {
    case Kind::https:
      return fixture.https;
    case Kind::https_optional:
      return fixture.https_optional;
    case Kind::https_required:
      return fixture.https_required;
    case Kind::peer_server:
      return fixture.peer_server;
    case Kind::peer_client:
      return fixture.peer_client;
    case Kind::anonymous_client:
      return fixture.anonymous_client;
  }
  fail("unknown kind");
}

void count(std::size_t counter) {
  std::uint8_t& hits = tls_progress_counters[counter];
  if (hits < 255) ++hits;
}

// A step's outcome must be one the stream can act on.
void check_step(SSL* ssl, const SslEngine::Step& step) {
  count(static_cast<std::size_t>(SSL_get_state(ssl)) % kStateCounters);
  if (step.error.category() == boost::asio::error::get_ssl_category()) {
    count(kStateCounters +
          ERR_GET_REASON(static_cast<unsigned long>(step.error.value())) % kReasonCounters);
  }
  if (step.error) {
    check(ERR_peek_error() == 0, "a failed operation left an error queued");
    check(step.want == Want::nothing, "an operation failed and wants more input");
    check(step.bytes == 0, "a failed operation moved bytes");
    check(!step.error.message().empty(), "an error without a message");
  }
}

void check_established(SSL* ssl, Kind kind) {
  check(SSL_is_init_finished(ssl) == 1, "a handshake succeeded unfinished");
  check(SSL_version(ssl) >= TLS1_2_VERSION, "a handshake succeeded below TLS 1.2");
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  check(cipher != nullptr && SSL_CIPHER_is_aead(cipher) == 1,
        "a handshake succeeded without an AEAD cipher");
  const int key_exchange = SSL_CIPHER_get_kx_nid(cipher);
  check(key_exchange == NID_kx_ecdhe || key_exchange == NID_kx_any,
        "a handshake succeeded without a forward-secret key exchange");
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  const bool has_certificate = SSL_get0_peer_certificate(ssl) != nullptr;
#else
  X509* certificate = SSL_get_peer_certificate(ssl);
  const bool has_certificate = certificate != nullptr;
  X509_free(certificate);
#endif
  if (requires_certificate(kind)) {
    check(has_certificate, is_client(kind) ? "a client accepted a server without a certificate"
                                           : "a handshake succeeded without a client certificate "
                                             "where one is required");
  }
  if (has_certificate) {
    check(SSL_get_verify_result(ssl) == X509_V_OK,
          "a handshake succeeded with a certificate that did not verify");
  }
}

// Feeds the chunks of `input` to `engine` as the stream would.
class Connection {
 public:
  Connection(SslEngine& engine, Kind kind, std::string_view input)
      : engine_(engine), kind_(kind), rest_(input) {}

  void run() {
    const Side side = is_client(kind_) ? Side::client : Side::server;
    // The handshake: a step, then more input whenever it wants some.
    SslEngine::Step step = engine_.handshake(side);
    check_step(engine_.native_handle(), step);
    drain_output();
    while (step.want == Want::input && steps_++ < kMaxSteps) {
      if (!next_chunk()) return;  // the connection ended within the handshake
      step = engine_.handshake(side);
      check_step(engine_.native_handle(), step);
      drain_output();
    }
    if (step.want == Want::input || step.error) return;  // the stream closes on an error
    check_established(engine_.native_handle(), kind_);
    // What comes after: read, answer, until the input or the connection ends; then the
    // close_notify, as a session that ends sends it.
    Reading reading = Reading::more;
    while (reading == Reading::more && steps_++ < kMaxSteps) {
      reading = read_and_answer();
      if (reading == Reading::more && !next_chunk()) break;
    }
    if (reading != Reading::failed) shut_down();
  }

 private:
  // Hands the next chunk to the engine; false once there is none.
  bool next_chunk() {
    if (rest_.empty()) return false;
    std::size_t size = static_cast<unsigned char>(rest_.front());
    rest_.remove_prefix(1);
    if (size == 0 || size > rest_.size()) size = rest_.size();
    engine_.put_input(rest_.data(), size);
    rest_.remove_prefix(size);
    return true;
  }

  enum class Reading { more, ended, failed };

  // Reads all there is, answering each piece.
  Reading read_and_answer() {
    while (steps_++ < kMaxSteps) {
      const bool had_input = engine_.has_input();
      const SslEngine::Step step = engine_.read(plaintext_.data(), plaintext_.size());
      check_step(engine_.native_handle(), step);
      check(step.bytes <= plaintext_.size(), "a read returned more than asked");
      drain_output();
      if (!had_input && !engine_.received_close_notify()) {
        check(step.want == Want::input && !step.error && step.bytes == 0,
              "a read without input waiting did not want input");
      }
      if (step.error == boost::asio::error::eof) {
        check(engine_.received_close_notify(), "a read ended the stream without a close_notify");
        return Reading::ended;
      }
      if (step.error) return Reading::failed;
      if (step.want == Want::input) return Reading::more;
      answer(step.bytes);
    }
    return Reading::failed;
  }

  void answer(std::size_t bytes) {
    if (bytes == 0) return;
    const SslEngine::Step step = engine_.write(plaintext_.data(), bytes);
    check_step(engine_.native_handle(), step);
    check(step.want != Want::input, "a write waited for input");
    check(step.error || step.bytes == bytes, "a write took part of its bytes");
    drain_output();
  }

  void shut_down() {
    const SslEngine::Step step = engine_.shutdown();
    check_step(engine_.native_handle(), step);
    if (!step.error && step.want == Want::nothing) {
      check(engine_.received_close_notify(), "a shutdown completed without the other's");
    }
    drain_output();
  }

  // What the engine sends goes nowhere: the other side is the input.
  void drain_output() {
    if (!engine_.has_output()) return;
    output_.clear();
    engine_.take_output(output_);
    check(!output_.empty(), "the engine had output and gave none");
  }

  SslEngine& engine_;
  Kind kind_;
  std::string_view rest_;
  std::string output_;
  std::array<char, kReadBytes> plaintext_{};
  int steps_ = 0;
};

}  // namespace
}  // namespace paxoskv::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  paxoskv::fuzz::tls_fixture();  // the certificates and contexts, once
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paxoskv::fuzz;
  if (size == 0) return 0;
  const Kind kind = kKinds[data[0] & 7];
  const TlsFixture::Context& context = context_of(kind);
  RandomStream random(is_client(kind) ? kClientRandomSeed : kServerRandomSeed);
  const ActiveRandom active(random);
  paxoskv::tls::SslEngine engine(*context);
  Connection(engine, kind, std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1))
      .run();
  return 0;
}

// The TLS contexts of the tls_record fuzz target and of its recorded seeds, built by the
// real builders (src/tls/tls_context.h) as the listeners and clients build them, from
// certificates made once per process in memory: a CA, a node's certificate for both
// listeners, a second node's for the peer dialer, and an intruder's of another CA.
//
// Everything is a function of the fixed random bytes (fixed_random.h), which this turns
// on: the same certificates and keys in every process, so recorded handshakes replay.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>

namespace paxoskv::fuzz {

struct TlsFixture {
  using Context = std::shared_ptr<boost::asio::ssl::context>;
  // The client listener (HttpListener): TLS without client certificates; with a trusted
  // CA, client certificates optional (verified when given); with --client-cert-auth too,
  // required.
  Context https;
  Context https_optional;
  Context https_required;
  // The peer listener, as PeerTransport::use_tls builds it: a certificate required.
  Context peer_server;
  // The peer dialer (a node's certificate), a client such as paxoskvctl (trusts the CA,
  // has no certificate), and an intruder (another CA's certificate, trusting ours).
  Context peer_client;
  Context anonymous_client;
  Context intruder_client;
};

// Made on first use. Throws std::runtime_error if a certificate cannot be made.
const TlsFixture& tls_fixture();

// The seeds of the fixed random streams of a server's and a client's engine: an input
// replays as recorded when its engine draws from a fresh stream of the same seed.
constexpr std::uint64_t kServerRandomSeed = 1;
constexpr std::uint64_t kClientRandomSeed = 2;

}  // namespace paxoskv::fuzz

// Where a listener's or a connection's TLS certificates are (PEM files).
#pragma once

#include <string>

namespace paxoskv {

struct TlsFiles {
  std::string cert_file;        // this side's certificate (chain); empty: no TLS
  std::string key_file;         // its private key
  std::string trusted_ca_file;  // the CA the other side's certificate must be signed by
  // A server that has trusted_ca_file: require a client certificate signed by it (the
  // handshake fails without one). Without it a client certificate is optional and, if
  // given, verified. Peer connections always require one.
  bool client_cert_auth = false;

  bool enabled() const { return !cert_file.empty(); }
  // All three files named, as mutual TLS (between peers) needs.
  bool complete() const {
    return !cert_file.empty() && !key_file.empty() && !trusted_ca_file.empty();
  }
  // Some of the three named, not all: unusable for mutual TLS.
  bool incomplete() const {
    return !complete() && (!cert_file.empty() || !key_file.empty() || !trusted_ca_file.empty());
  }
};

}  // namespace paxoskv

// Peer TLS takes all three files or none: a replica with only some of them would be
// neither reachable by its peers nor protected.
#pragma once

#include "paxoskv/tls.h"

namespace paxoskv {

inline bool peer_tls_complete(const TlsFiles& files) {
  return !files.cert_file.empty() && !files.key_file.empty() && !files.trusted_ca_file.empty();
}

// Some of the three files named, not all.
inline bool peer_tls_partial(const TlsFiles& files) {
  const bool any =
      !files.cert_file.empty() || !files.key_file.empty() || !files.trusted_ca_file.empty();
  return any && !peer_tls_complete(files);
}

}  // namespace paxoskv

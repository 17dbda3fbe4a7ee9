// TLS contexts for both ends of a connection, built from PEM files: TLS 1.2 or later,
// forward-secret AEAD ciphers only.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "paxoskv/tls.h"

namespace paxoskv::tls {

// The accepting side: presents files.cert_file; verifies a client's certificate against
// files.trusted_ca_file when there is one, and requires one with client_cert_auth. Throws
// std::runtime_error naming the file that cannot be read or does not fit.
std::shared_ptr<boost::asio::ssl::context> make_server_context(const TlsFiles& files);

// The connecting side: verifies the server's certificate against files.trusted_ca_file
// (the system's CAs when empty) and presents files.cert_file when there is one. Throws as
// above.
std::shared_ptr<boost::asio::ssl::context> make_client_context(const TlsFiles& files);

}  // namespace paxoskv::tls

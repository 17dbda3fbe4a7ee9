#include "src/tls/tls_context.h"

#include <openssl/ssl.h>

#include <stdexcept>
#include <string>

namespace paxoskv::tls {

namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 suites with forward secrecy and authenticated encryption (TLS 1.3's are all so).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::shared_ptr<ssl::context> make_context(ssl::context::method method) {
  auto context = std::make_shared<ssl::context>(method);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  // A TLS 1.2 renegotiation would make a write wait for a read (see ssl_stream.h).
  SSL_CTX_set_options(context->native_handle(), SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(context->native_handle(), kTls12Ciphers) != 1) {
    throw std::runtime_error("TLS: no usable cipher suite");
  }
  return context;
}

template <typename Load>
void load(const std::string& what, const std::string& file, Load&& load_file) {
  try {
    load_file();
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error("TLS: cannot use " + what + " '" + file + "': " + error.what());
  }
}

void load_identity(ssl::context& context, const TlsFiles& files) {
  if (files.key_file.empty()) throw std::runtime_error("TLS: a certificate needs its key file");
  load("certificate", files.cert_file,
       [&] { context.use_certificate_chain_file(files.cert_file); });
  load("key", files.key_file,
       [&] { context.use_private_key_file(files.key_file, ssl::context::pem); });
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    throw std::runtime_error("TLS: key '" + files.key_file + "' does not match certificate '" +
                             files.cert_file + "'");
  }
}

}  // namespace

std::shared_ptr<ssl::context> make_server_context(const TlsFiles& files) {
  auto context = make_context(ssl::context::tls_server);
  // Our clients and peers keep their connections and never resume a session: no session
  // tickets to make, encrypt and send after each handshake, no session cache.
  SSL_CTX_set_num_tickets(context->native_handle(), 0);
  SSL_CTX_set_session_cache_mode(context->native_handle(), SSL_SESS_CACHE_OFF);
  load_identity(*context, files);
  if (!files.trusted_ca_file.empty()) {
    load("trusted CA", files.trusted_ca_file,
         [&] { context->load_verify_file(files.trusted_ca_file); });
    context->set_verify_mode(files.client_cert_auth
                                 ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert
                                 : ssl::verify_peer);
  } else if (files.client_cert_auth) {
    throw std::runtime_error("TLS: requiring client certificates needs a trusted CA file");
  }
  return context;
}

std::shared_ptr<ssl::context> make_client_context(const TlsFiles& files) {
  auto context = make_context(ssl::context::tls_client);
  if (files.enabled()) load_identity(*context, files);
  if (files.trusted_ca_file.empty()) {
    context->set_default_verify_paths();
  } else {
    load("trusted CA", files.trusted_ca_file,
         [&] { context->load_verify_file(files.trusted_ca_file); });
  }
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

}  // namespace paxoskv::tls

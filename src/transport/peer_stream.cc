#include "src/transport/peer_stream.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/post.hpp>

namespace paxoskv {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

std::variant<tcp::socket, PeerStream::TlsStream> make_stream(tcp::socket socket,
                                                             ssl::context* tls) {
  if (tls == nullptr) return std::variant<tcp::socket, PeerStream::TlsStream>(std::move(socket));
  return std::variant<tcp::socket, PeerStream::TlsStream>(std::in_place_type<PeerStream::TlsStream>,
                                                          std::move(socket), *tls);
}

}  // namespace

PeerStream::PeerStream(tcp::socket socket, std::shared_ptr<ssl::context> tls)
    : tls_context_(std::move(tls)), stream_(make_stream(std::move(socket), tls_context_.get())) {}

tcp::socket& PeerStream::socket() {
  if (auto* tls = std::get_if<TlsStream>(&stream_)) return tls->next_layer();
  return std::get<tcp::socket>(stream_);
}

void PeerStream::async_handshake(ssl::stream_base::handshake_type side, HandshakeHandler done) {
  if (auto* tls = std::get_if<TlsStream>(&stream_)) {
    tls->async_handshake(side, std::move(done));
    return;
  }
  asio::post(get_executor(), [done = std::move(done)] { done(error_code{}); });
}

std::string PeerStream::handshake_failure(const error_code& error) {
  std::string reason = error.message();
  if (auto* tls = std::get_if<TlsStream>(&stream_)) {
    const long verify_result = SSL_get_verify_result(tls->native_handle());
    if (verify_result != X509_V_OK) {
      reason += std::string(" (certificate: ") + X509_verify_cert_error_string(verify_result) + ")";
    }
  }
  return reason;
}

void PeerStream::shutdown_send() {
  error_code ignored;
  socket().shutdown(tcp::socket::shutdown_send, ignored);
}

void PeerStream::close() {
  error_code ignored;
  socket().close(ignored);
}

}  // namespace paxoskv

#include "src/tls/stream.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <stdexcept>

namespace paxoskv::tls {

namespace {

using Variant = std::variant<Stream::TcpStream, Stream::TlsStream>;

template <typename Layer>
Variant make_stream(Layer&& layer, boost::asio::ssl::context* context) {
  if (context == nullptr) {
    return Variant(std::in_place_type<Stream::TcpStream>, std::forward<Layer>(layer));
  }
  return Variant(std::in_place_type<Stream::TlsStream>, std::forward<Layer>(layer), *context);
}

}  // namespace

Stream::Stream(boost::asio::ip::tcp::socket socket,
               std::shared_ptr<boost::asio::ssl::context> context)
    : context_(std::move(context)), stream_(make_stream(std::move(socket), context_.get())) {}

Stream::Stream(const executor_type& executor, std::shared_ptr<boost::asio::ssl::context> context)
    : context_(std::move(context)), stream_(make_stream(executor, context_.get())) {}

Stream::TcpStream& Stream::tcp() {
  return std::visit(
      [](auto& stream) -> TcpStream& { return boost::beast::get_lowest_layer(stream); }, stream_);
}

void Stream::expect_server_name(const std::string& host) {
  auto* tls = std::get_if<TlsStream>(&stream_);
  if (tls == nullptr) return;
  SSL* ssl = tls->native_handle();
  X509_VERIFY_PARAM* checks = SSL_get0_param(ssl);
  boost::system::error_code not_an_address;
  boost::asio::ip::make_address(host, not_an_address);
  if (!not_an_address) {
    if (X509_VERIFY_PARAM_set1_ip_asc(checks, host.c_str()) != 1) {
      throw std::runtime_error("TLS: cannot check the address " + host);
    }
    return;
  }
  X509_VERIFY_PARAM_set_hostflags(checks, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (X509_VERIFY_PARAM_set1_host(checks, host.c_str(), host.size()) != 1 ||
      SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    throw std::runtime_error("TLS: cannot check the host name " + host);
  }
}

}  // namespace paxoskv::tls

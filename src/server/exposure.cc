#include "src/server/exposure.h"

#include <boost/asio/ip/address.hpp>
#include <boost/system/error_code.hpp>
#include <string_view>

namespace paxoskv {

namespace {

// The host of "host:port" or "[v6]:port".
std::string_view host_of(std::string_view address) {
  if (address.starts_with('[')) {
    const std::size_t end = address.find(']');
    return end == std::string_view::npos ? address : address.substr(1, end - 1);
  }
  const std::size_t colon = address.rfind(':');
  return colon == std::string_view::npos ? address : address.substr(0, colon);
}

bool loopback(std::string_view host) {
  if (host == "localhost") return true;
  boost::system::error_code error;
  const auto ip = boost::asio::ip::make_address(std::string(host), error);
  return !error && ip.is_loopback();
}

}  // namespace

std::vector<std::string> plaintext_exposure_warnings(const std::string& client_listen,
                                                     const std::string& peer_listen) {
  std::vector<std::string> warnings;
  if (!loopback(host_of(client_listen))) {
    warnings.push_back("clients are served on " + client_listen +
                       ", beyond this machine, in plain HTTP and without authentication: "
                       "anyone who reaches it can read and write every key");
  }
  if (!loopback(host_of(peer_listen))) {
    warnings.push_back("peers are served on " + peer_listen +
                       ", beyond this machine, in plain TCP: anyone who reaches it can send "
                       "this replica consensus messages; keep it on a private network");
  }
  return warnings;
}

}  // namespace paxoskv

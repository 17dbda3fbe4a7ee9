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

std::vector<std::string> exposure_warnings(const Listeners& listeners) {
  std::vector<std::string> warnings;
  if (!loopback(host_of(listeners.client_listen))) {
    const std::string where =
        "clients are served on " + listeners.client_listen + ", beyond this machine, ";
    const std::string anyone = "anyone who reaches it can read and write every key";
    if (!listeners.client_tls && !listeners.client_authentication) {
      warnings.push_back(where + "in plain HTTP and without authentication: " + anyone);
    } else if (!listeners.client_tls) {
      warnings.push_back(where +
                         "in plain HTTP: keys, values and tokens cross the network readable "
                         "by anyone on the path (--cert-file, --key-file)");
    } else if (!listeners.client_authentication) {
      warnings.push_back(where + "without authentication: " + anyone +
                         " (--auth-root-token-file, or --client-cert-auth)");
    }
  }
  if (!listeners.peer_tls && !loopback(host_of(listeners.peer_listen))) {
    warnings.push_back("peers are served on " + listeners.peer_listen +
                       ", beyond this machine, in plain TCP: anyone who reaches it can send "
                       "this replica consensus messages; keep it on a private network or use "
                       "--peer-cert-file, --peer-key-file and --peer-trusted-ca-file");
  }
  return warnings;
}

}  // namespace paxoskv

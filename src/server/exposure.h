// What a replica exposes beyond this machine: a warning for each listener bound to
// anything but a loopback address that is not protected, logged once at start.
#pragma once

#include <string>
#include <vector>

namespace paxoskv {

struct Listeners {
  std::string client_listen;  // "host:port" or "[v6]:port"
  bool client_tls = false;
  // Clients must prove who they are: tokens, or a client certificate required.
  bool client_authentication = false;
  std::string peer_listen;
  bool peer_tls = false;
};

// A warning line for the client listener if it is beyond loopback (127.0.0.0/8, ::1,
// localhost) without TLS or without authentication, and one for the peer listener if it
// is beyond loopback without TLS. A host name that is not localhost counts as exposed,
// since it may resolve to any interface.
std::vector<std::string> exposure_warnings(const Listeners& listeners);

}  // namespace paxoskv

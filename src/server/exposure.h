// What a replica exposes in plain text: a warning for each listener bound beyond this
// machine (any address but a loopback one), logged once at start.
#pragma once

#include <string>
#include <vector>

namespace paxoskv {

// One warning line for the client listener and one for the peer listener ("host:port",
// "[v6]:port") if it is not on a loopback address (127.0.0.0/8, ::1, localhost); a host
// name that is not localhost counts as exposed, since it may resolve to any interface.
std::vector<std::string> plaintext_exposure_warnings(const std::string& client_listen,
                                                     const std::string& peer_listen);

}  // namespace paxoskv

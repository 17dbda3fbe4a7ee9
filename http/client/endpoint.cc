#include "http/client/endpoint.h"

namespace paxoskv::http::client {

std::string Endpoint::text() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

}  // namespace paxoskv::http::client

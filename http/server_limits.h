// Limits and timeouts of the client HTTP front end.
#pragma once

#include <chrono>
#include <cstddef>

#include "paxoskv/options.h"

namespace paxoskv::http {

struct ServerLimits {
  std::size_t max_header_bytes = 8 * 1024;  // request line and header fields together
  std::size_t max_value_bytes = 1 << 20;    // a request body (a value)
  std::size_t max_key_bytes = kKeyBytesLimit;
  // Connections beyond this are accepted and closed at once.
  std::size_t max_connections = 10'000;

  // A kept-alive connection may sit idle this long between requests.
  std::chrono::milliseconds idle_timeout{30'000};
  // From the first byte of a request to its last (headers and body): slow senders are cut.
  std::chrono::milliseconds request_read_timeout{10'000};
  // From the accept to the end of the TLS handshake.
  std::chrono::milliseconds tls_handshake_timeout{10'000};
  // To send one response.
  std::chrono::milliseconds write_timeout{10'000};

  // Long polls: ?timeout when absent, and the cap on larger values.
  std::chrono::milliseconds default_wait_timeout{30'000};
  std::chrono::milliseconds max_wait_timeout{300'000};

  // Prefix listing: ?limit when absent, and the cap on larger values.
  std::size_t default_list_limit = 1000;
  std::size_t max_list_limit = 10'000;
};

}  // namespace paxoskv::http

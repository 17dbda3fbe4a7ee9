// Socket options of every peer connection, both directions.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>

namespace paxoskv {

// No delay for small frames, and a dead link noticed within about `dead_after`: data the
// peer has not acknowledged for that long, or an idle link whose keepalive probes go
// unanswered that long, breaks the connection, which is then made again. Without it a
// link through a partition that silently drops packets stays open and backs its
// retransmissions off to tens of seconds, so a healed partition goes unnoticed that long.
void set_peer_socket_options(boost::asio::ip::tcp::socket& socket,
                             std::chrono::milliseconds dead_after);

}  // namespace paxoskv

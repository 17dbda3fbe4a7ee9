#include "src/transport/peer_socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <boost/asio/socket_base.hpp>

namespace paxoskv {

namespace {

template <int Name>
using TcpOption = boost::asio::detail::socket_option::integer<IPPROTO_TCP, Name>;

}  // namespace

void set_peer_socket_options(boost::asio::ip::tcp::socket& socket,
                             std::chrono::milliseconds dead_after) {
  boost::system::error_code ignored;  // options are best effort: a plain link still works
  socket.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  socket.set_option(boost::asio::socket_base::keep_alive(true), ignored);
  const auto seconds =
      static_cast<int>(std::max<std::chrono::milliseconds::rep>(1, dead_after.count() / 3000));
  socket.set_option(TcpOption<TCP_KEEPIDLE>(seconds), ignored);
  socket.set_option(TcpOption<TCP_KEEPINTVL>(seconds), ignored);
  socket.set_option(TcpOption<TCP_KEEPCNT>(2), ignored);
  socket.set_option(TcpOption<TCP_USER_TIMEOUT>(static_cast<int>(dead_after.count())), ignored);
}

}  // namespace paxoskv

#include "tests/e2e/free_port.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <list>

namespace paxoskv::e2e {

std::vector<std::uint16_t> pick_free_ports(std::size_t count) {
  namespace asio = boost::asio;
  asio::io_context io;
  // All stay bound until every port is picked, so no port is handed out twice.
  std::list<asio::ip::tcp::acceptor> held;
  std::vector<std::uint16_t> ports;
  const asio::ip::tcp::endpoint any_port(asio::ip::make_address("127.0.0.1"), 0);
  for (std::size_t i = 0; i < count; ++i) {
    auto& acceptor = held.emplace_back(io);
    acceptor.open(any_port.protocol());
    acceptor.bind(any_port);  // no listen: the port is never left in TIME_WAIT
    ports.push_back(acceptor.local_endpoint().port());
  }
  return ports;
}

}  // namespace paxoskv::e2e

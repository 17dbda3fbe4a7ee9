// The io_context a Node's replica runs on, for the HTTP front end in the same process,
// which serves the node from that thread: its requests then cross no thread on their
// way. Handlers left on it stop running when the Node is destroyed.
#pragma once

#include <boost/asio/io_context.hpp>

#include "paxoskv/node.h"

namespace paxoskv {

class NodeIo {
 public:
  static boost::asio::io_context& context(Node& node);
};

}  // namespace paxoskv

// The io_context the HTTP front end in the same process serves a Node's clients on: the
// node's client threads (Options::client_threads), or without them the replica's own
// thread, where requests cross no thread on their way. Handlers left on it stop running
// when the Node is destroyed, and it outlives every callback of the replica's.
#pragma once

#include <boost/asio/io_context.hpp>

#include "paxoskv/node.h"

namespace paxoskv {

class NodeIo {
 public:
  static boost::asio::io_context& context(Node& node);
};

}  // namespace paxoskv

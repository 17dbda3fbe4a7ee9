// The io_context a Node's replica runs on, for a front end in the same process that
// serves the node from that thread: its requests then cross no thread on their way.
// Handlers left on it stop running when the Node is destroyed.
#pragma once

#include <boost/asio/io_context.hpp>

#include "paxoskv/node.h"

namespace paxoskv {

boost::asio::io_context& node_io_context(Node& node);

}  // namespace paxoskv

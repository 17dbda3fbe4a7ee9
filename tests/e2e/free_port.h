// Free loopback TCP ports for replicas to listen on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace paxoskv::e2e {

// `count` distinct ports the kernel just handed out for 127.0.0.1, all closed again on
// return. Another process could take one before a replica binds it; in practice the
// kernel does not hand the same ephemeral port out again that quickly.
std::vector<std::uint16_t> pick_free_ports(std::size_t count);

}  // namespace paxoskv::e2e

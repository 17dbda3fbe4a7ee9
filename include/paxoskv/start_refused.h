// Why a replica refuses to start: what Node's constructor throws when the data dir must
// not be served as it is.
#pragma once

#include <stdexcept>

namespace paxoskv {

// Thrown by Node's constructor when the replica must not start on its data dir as it is:
// an earlier write to it failed and left the marker DISK_WRITE_FAILED there (see
// Options::allow_after_disk_failure). The server program exits with status 2.
class StartRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A replica on an empty data dir whose id a peer knows as having served: its promises
// are gone, so it must never vote again under this id. Replace it under a new id.
class LostDataError : public StartRefused {
 public:
  using StartRefused::StartRefused;
};

}  // namespace paxoskv

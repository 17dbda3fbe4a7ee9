// What identifies a cluster: its name. The fingerprint a replica sends and stores also
// lists the ids in `--cluster` ("name:1,2,3", as earlier versions compared it whole, so
// that they still accept this replica's hellos), but peers and stores compare only the
// name (consensus/cluster_name.h): the members change with the membership.
#pragma once

#include <string>

#include "paxoskv/options.h"

namespace paxoskv {

std::string cluster_fingerprint(const Options& options);

}  // namespace paxoskv

// `paxoskv restore --snapshot FILE --data-dir DIR --id N --cluster ...`: makes the data
// dir of a member of a new cluster from a snapshot file (see README, "Backup and
// restore").
#pragma once

#include <string>
#include <vector>

namespace paxoskv {

// `args` follow "restore": --snapshot FILE and the flags the replica will be started with
// (the store is made for its --id, --cluster and --cluster-name). Returns the exit status:
// 0 restored, 1 refused (a damaged or truncated file, a data dir in use; nothing
// written), 2 a bad command line.
int run_restore(const std::vector<std::string>& args);

}  // namespace paxoskv

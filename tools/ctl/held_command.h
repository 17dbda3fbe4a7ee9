// Holding a lease while a command runs (paxoskvctl lock NAME -- COMMAND) or until the
// user stops paxoskvctl (lock without a command, elect): keepalives on time, the
// command's end or a signal ends the hold.
#pragma once

#include <string>
#include <vector>

#include "tools/ctl/exit_code.h"
#include "tools/ctl/lease_holder.h"

namespace paxoskv::ctl {

// Extra variables for the command's environment ("NAME=value").
using Environment = std::vector<std::string>;

// Runs `command` (none: waits for SIGINT or SIGTERM) while keeping `lease` alive. A
// signal is passed on to the command. Returns the command's exit status (128 + signal if
// a signal ended it), or ok when stopped by a signal without a command. Throws CtlError
// (lost) when the lease is lost: the command is then sent SIGTERM first, since it no
// longer holds what it was started to hold.
ExitCode hold_while(LeaseHolder& lease, const std::vector<std::string>& command,
                    const Environment& environment);

}  // namespace paxoskv::ctl

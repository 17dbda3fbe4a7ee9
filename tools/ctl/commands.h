// paxoskvctl's commands, run against a Client.
#pragma once

#include <iosfwd>

#include "tools/ctl/arguments.h"
#include "tools/ctl/client.h"
#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {

// Where a command reads and writes.
struct Console {
  std::ostream& out;
  std::ostream& err;  // notes (a watch moving to another endpoint); errors go up as CtlError
  std::istream& in;
  bool out_is_terminal = false;
};

// Runs the invocation's command; failures throw CtlError.
ExitCode run_command(const Invocation& invocation, Client& client, Console& console);

ExitCode run_put(const Invocation& invocation, Client& client, Console& console);
ExitCode run_get(const Invocation& invocation, Client& client, Console& console);
ExitCode run_del(const Invocation& invocation, Client& client, Console& console);
ExitCode run_ls(const Invocation& invocation, Client& client, Console& console);
ExitCode run_watch_key(const Invocation& invocation, Client& client, Console& console);
ExitCode run_watch_prefix(const Invocation& invocation, Client& client, Console& console);
ExitCode run_status(const Invocation& invocation, Client& client, Console& console);
ExitCode run_member(const Invocation& invocation, Client& client, Console& console);
ExitCode run_token(const Invocation& invocation, Client& client, Console& console);
ExitCode run_lock(const Invocation& invocation, Client& client, Console& console);
ExitCode run_elect(const Invocation& invocation, Client& client, Console& console);
ExitCode run_snapshot_save(const Invocation& invocation, Client& client, Console& console);

}  // namespace paxoskv::ctl

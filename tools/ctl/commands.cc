#include "tools/ctl/commands.h"

namespace paxoskv::ctl {

ExitCode run_command(const Invocation& invocation, Client& client, Console& console) {
  switch (invocation.command) {
    case Command::put:
    case Command::cas:  // put with --cas, spelled out
      return run_put(invocation, client, console);
    case Command::get:
      return run_get(invocation, client, console);
    case Command::del:
      return run_del(invocation, client, console);
    case Command::ls:
      return run_ls(invocation, client, console);
    case Command::watch:
      return invocation.watch_prefix ? run_watch_prefix(invocation, client, console)
                                     : run_watch_key(invocation, client, console);
    case Command::status:
      return run_status(invocation, client, console);
    case Command::member:
      return run_member(invocation, client, console);
    case Command::token:
      return run_token(invocation, client, console);
    case Command::lock:
      return run_lock(invocation, client, console);
    case Command::elect:
      return run_elect(invocation, client, console);
    case Command::snapshot:
      return run_snapshot_save(invocation, client, console);
  }
  return ExitCode::other;
}

}  // namespace paxoskv::ctl

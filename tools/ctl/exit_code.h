// paxoskvctl's exit codes, and the error that carries one up to main.
#pragma once

#include <stdexcept>
#include <string>

namespace paxoskv::ctl {

enum class ExitCode : int {
  ok = 0,
  not_found = 1,    // get/del of an absent key; member remove of an unknown id
  usage = 2,        // bad command line
  no_quorum = 3,    // 503, or a write whose outcome is unknown
  conflict = 4,     // 409: cas mismatch; a member id in use or used before, the last member
  unreachable = 5,  // no endpoint accepted a connection
  other = 6,
  removed = 7,             // 410: the replica was removed from the cluster; ask another member
  no_space = 8,            // 507: the replica's disk is (almost) full; the write was not done
  unauthenticated = 9,     // 401: no token, or one the cluster does not know (revoked?)
  permission_denied = 10,  // 403: the token's role or prefix does not allow it
  lost = 11,               // lock or leadership lost: its lease ran out or was revoked
};

// Ends the command: main prints "paxoskvctl: <what>" on stderr and exits with `code`.
class CtlError : public std::runtime_error {
 public:
  CtlError(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}

  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

// A command line that cannot be run; main adds a pointer to --help.
class UsageError : public CtlError {
 public:
  explicit UsageError(const std::string& message) : CtlError(ExitCode::usage, message) {}
};

}  // namespace paxoskv::ctl

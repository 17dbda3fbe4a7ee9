// lock NAME [-- COMMAND...]: holds the key NAME, attached to a lease, while the command
// runs (or until stopped); waits while another holds it. Its version is the fencing
// token: every holder's is larger than the one before.
#include <unistd.h>

#include <array>
#include <iostream>

#include "tools/ctl/commands.h"
#include "tools/ctl/held_command.h"
#include "tools/ctl/lease_holder.h"
#include "tools/ctl/output.h"

namespace paxoskv::ctl {

namespace {

// Who holds the lock, as the key's value says: "<host> pid <pid>".
std::string holder_description() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return std::string(host.data()) + " pid " + std::to_string(getpid());
}

}  // namespace

ExitCode run_lock(const Invocation& invocation, Client& client, Console& console) {
  LeaseHolder lease(client, invocation.lease_ttl);
  const std::uint64_t fencing_token = lease.acquire(invocation.key, holder_description());
  if (invocation.output == OutputFormat::json) {
    console.out << dump(Json{
                       {"key", invocation.key}, {"version", fencing_token}, {"lease", lease.id()}})
                << '\n';
  } else {
    console.out << invocation.key << ' ' << fencing_token << '\n';
  }
  console.out.flush();  // read by whoever waits for the lock to be taken
  const ExitCode code = hold_while(lease, invocation.held_command,
                                   {"PAXOSKV_LOCK_KEY=" + invocation.key,
                                    "PAXOSKV_LOCK_FENCING_TOKEN=" + std::to_string(fencing_token),
                                    "PAXOSKV_LEASE_ID=" + lease.id()});
  lease.release();
  return code;
}

}  // namespace paxoskv::ctl

// elect NAME VALUE: campaigns to lead NAME (holds the key NAME = VALUE, attached to a
// lease, once it is free) and leads until stopped. elect --listen NAME prints every
// leader's value as leaders come and go.
#include <iostream>

#include "http/client/targets.h"
#include "tools/ctl/answer_check.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/held_command.h"
#include "tools/ctl/lease_holder.h"
#include "tools/ctl/watch_support.h"

namespace paxoskv::ctl {

using http::client::key_target;

namespace {

ExitCode listen(const Invocation& invocation, Client& client, Console& console) {
  std::uint64_t last_version = 0;
  EndpointSwitch endpoint_switch(client, console.err);
  endpoint_switch.arrived_at(client.current());
  bool first = true;
  while (true) {
    Request poll;
    // The first read shows the leader now; then each change is waited for.
    poll.target = first ? key_target(invocation.key, {{"consistency", "local"}})
                        : key_target(invocation.key, {{"wait", std::to_string(last_version)},
                                                      {"timeout", std::string(poll_timeout_text)}});
    if (!first) poll.extra_time = poll_timeout;
    const Answer answer = client.send(poll);
    endpoint_switch.answered(answer);
    if (answer.status == 503) {
      endpoint_switch.refused(answer);
      continue;
    }
    if (answer.status != 200 && answer.status != 404) {
      check_answer(answer, invocation.key, false, client.endpoint(answer.endpoint).text());
    }
    const Json body = json_body(answer);
    const Entry entry = entry_from_json(body);
    const bool changed = entry.version > last_version || (first && entry.value);
    first = false;
    if (!changed) continue;
    last_version = entry.version;
    if (invocation.output == OutputFormat::json) {
      console.out << dump(Json{{"key", invocation.key},
                               {"leader", entry.value ? Json(printable(*entry.value)) : Json()},
                               {"version", entry.version}})
                  << '\n';
    } else if (entry.value) {
      console.out << printable(*entry.value) << '\n';
    } else {
      continue;  // no leader for now: the next one is printed when elected
    }
    console.out.flush();
  }
}

}  // namespace

ExitCode run_elect(const Invocation& invocation, Client& client, Console& console) {
  if (invocation.elect_listen) return listen(invocation, client, console);
  LeaseHolder lease(client, invocation.lease_ttl);
  const std::uint64_t fencing_token = lease.acquire(invocation.key, invocation.value);
  if (invocation.output == OutputFormat::json) {
    console.out << dump(Json{{"key", invocation.key},
                             {"leader", invocation.value},
                             {"version", fencing_token},
                             {"lease", lease.id()}})
                << '\n';
  } else {
    console.out << invocation.value << '\n';
  }
  console.out.flush();
  const ExitCode code = hold_while(lease, {}, {});
  lease.release();  // resigns: the next campaigner takes over at once
  return code;
}

}  // namespace paxoskv::ctl

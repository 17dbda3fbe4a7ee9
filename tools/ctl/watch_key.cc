// watch KEY: long polls on the key (?wait=VERSION), from one endpoint to the next.
#include <iostream>

#include "http/client/targets.h"
#include "tools/ctl/answer_check.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/watch_support.h"

namespace paxoskv::ctl {

using http::client::key_target;

namespace {

// The key's version now, read from the replica's applied state like the polls.
std::uint64_t current_version(const Invocation& invocation, Client& client) {
  Request request;
  request.target = key_target(invocation.key, {{"consistency", "local"}});
  const Answer answer = client.send(request);
  if (answer.status != 404) {
    check_answer(answer, invocation.key, false, client.endpoint(answer.endpoint).text());
  }
  return entry_from_json(json_body(answer)).version;
}

}  // namespace

ExitCode run_watch_key(const Invocation& invocation, Client& client, Console& console) {
  std::uint64_t last_version =
      invocation.from_version ? *invocation.from_version : current_version(invocation, client);
  EndpointSwitch endpoint_switch(client, console.err);
  endpoint_switch.arrived_at(client.current());  // to tell when the polls move elsewhere
  while (true) {
    Request poll;
    poll.target = key_target(invocation.key, {{"wait", std::to_string(last_version)},
                                              {"timeout", std::string(poll_timeout_text)}});
    poll.extra_time = poll_timeout;
    // send() moves on to the next endpoints while this one cannot be reached; the poll
    // names the last version seen, so it resumes there on any replica.
    const Answer answer = client.send(poll);
    endpoint_switch.answered(answer);
    if (answer.status == 503) {  // shutting down, most likely: as good as gone
      endpoint_switch.refused(answer);
      continue;
    }
    if (answer.status != 200 && answer.status != 404) {
      check_answer(answer, invocation.key, false, client.endpoint(answer.endpoint).text());
    }
    const Json body = json_body(answer);
    const Entry entry = entry_from_json(body);
    if (entry.version <= last_version) continue;  // the poll timed out: nothing new
    last_version = entry.version;
    const bool deleted = answer.status == 404;
    if (invocation.output == OutputFormat::json) {
      console.out << dump(change_json(body, deleted)) << '\n';
    } else {
      console.out << key_change_line(entry);
    }
    console.out.flush();  // a watch is read as it goes
  }
}

}  // namespace paxoskv::ctl

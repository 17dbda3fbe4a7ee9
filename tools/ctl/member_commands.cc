// member list|add|remove: the cluster's configuration, and changing it.
#include <iostream>

#include "http/api_names.h"
#include "tools/ctl/answer_check.h"
#include "tools/ctl/commands.h"

namespace paxoskv::ctl {

namespace http = boost::beast::http;

namespace {

// A change answers once it is in force, after every key was carried over to the new
// members: with many keys that takes minutes, far beyond a request's usual timeout.
constexpr std::chrono::hours member_change_wait{1};

void print_membership(const Invocation& invocation, const Json& body, Console& console) {
  if (invocation.output == OutputFormat::json) {
    console.out << dump(body) << '\n';
  } else {
    console.out << members_table(body);
  }
}

}  // namespace

ExitCode run_member(const Invocation& invocation, Client& client, Console& console) {
  Request request;
  const bool adding = invocation.member_action == MemberAction::add;
  switch (invocation.member_action) {
    case MemberAction::list:
      request.target = paxoskv::http::members_path;
      break;
    case MemberAction::add:
      request.method = http::verb::post;
      request.target = paxoskv::http::members_path;
      request.body =
          Json{{"id", invocation.member_id}, {"peer_address", invocation.peer_address}}.dump(
              -1, ' ', false, Json::error_handler_t::replace);
      request.extra_time = member_change_wait;
      break;
    case MemberAction::remove:
      request.method = http::verb::delete_;
      request.target =
          std::string(paxoskv::http::member_path_prefix) + std::to_string(invocation.member_id);
      request.extra_time = member_change_wait;
      break;
  }
  const Answer answer = client.send(request);
  const std::string endpoint = client.endpoint(answer.endpoint).text();
  if (invocation.member_action == MemberAction::list) {
    check_answer(answer, "", false, endpoint);
  } else {
    check_member_answer(answer, adding ? MemberChange::add : MemberChange::remove,
                        invocation.member_id, endpoint);
    if (invocation.output == OutputFormat::human) {
      console.out << (adding ? "added member " : "removed member ") << invocation.member_id
                  << (adding ? "; start it now with --join" : "") << '\n';
    }
  }
  print_membership(invocation, json_body(answer), console);
  return ExitCode::ok;
}

}  // namespace paxoskv::ctl

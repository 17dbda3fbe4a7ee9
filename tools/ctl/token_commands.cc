// token create|list|revoke: the cluster's tokens (an admin's commands).
#include <iostream>

#include "http/api_names.h"
#include "tools/ctl/answer_check.h"
#include "tools/ctl/commands.h"

namespace paxoskv::ctl {

namespace http = boost::beast::http;

namespace {

Request token_request(const Invocation& invocation) {
  Request request;
  switch (invocation.token_action) {
    case TokenAction::create:
      request.method = http::verb::post;
      request.target = paxoskv::http::tokens_path;
      request.body = dump(Json{{"name", invocation.token_name},
                               {"role", invocation.token_role},
                               {"prefix", invocation.token_prefix}});
      break;
    case TokenAction::list:
      request.target = paxoskv::http::tokens_path;
      break;
    case TokenAction::revoke:
      request.method = http::verb::delete_;
      request.target = std::string(paxoskv::http::token_path_prefix) + invocation.token_name;
      break;
  }
  return request;
}

void print_tokens(const Json& body, Console& console) {
  for (const Json& token : body.value("tokens", Json::array())) {
    console.out << token.value("name", "") << ' ' << token.value("role", "") << ' '
                << token.value("prefix", token.value("prefix_base64", "")) << '\n';
  }
}

}  // namespace

ExitCode run_token(const Invocation& invocation, Client& client, Console& console) {
  const Request request = token_request(invocation);
  const Answer answer = client.send(request);
  const std::string endpoint = client.endpoint(answer.endpoint).text();
  if (answer.status == 409) {
    throw CtlError(ExitCode::conflict, "conflict: a token named " + invocation.token_name +
                                           " exists (revoke it first)");
  }
  if (answer.status == 404) {
    throw CtlError(ExitCode::not_found, "not found: no token named " + invocation.token_name);
  }
  check_answer(answer, invocation.token_name, request.method != http::verb::get, endpoint);
  const Json body = json_body(answer);
  if (invocation.output == OutputFormat::json) {
    console.out << dump(body) << '\n';
    return ExitCode::ok;
  }
  switch (invocation.token_action) {
    case TokenAction::create:
      console.out << body.value("token", "") << '\n';
      break;
    case TokenAction::list:
      print_tokens(body, console);
      break;
    case TokenAction::revoke:
      console.out << "revoked token " << invocation.token_name << '\n';
      break;
  }
  return ExitCode::ok;
}

}  // namespace paxoskv::ctl

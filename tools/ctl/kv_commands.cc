// put, cas, get, del: one request each.
#include <iostream>
#include <iterator>

#include "http/client/targets.h"
#include "tools/ctl/answer_check.h"
#include "tools/ctl/commands.h"

namespace paxoskv::ctl {

namespace http = boost::beast::http;
using paxoskv::http::client::cas_query;
using paxoskv::http::client::key_target;
using paxoskv::http::client::QueryParameters;

namespace {

// put/cas/del: "OK vN", or the server's {"key","version"}.
ExitCode write(const Invocation& invocation, Client& client, Console& console, Request request) {
  const Answer answer = client.send(request);
  check_answer(answer, invocation.key, true, client.endpoint(answer.endpoint).text());
  const Json body = json_body(answer);
  if (invocation.output == OutputFormat::json) {
    console.out << dump(body) << '\n';
  } else {
    console.out << "OK v" << entry_from_json(body).version << '\n';
  }
  return ExitCode::ok;
}

}  // namespace

ExitCode run_put(const Invocation& invocation, Client& client, Console& console) {
  Request request;
  request.method = http::verb::put;
  request.target = key_target(invocation.key, cas_query(invocation.expected_version));
  if (invocation.value_from_stdin) {
    request.body.assign(std::istreambuf_iterator<char>(console.in), {});
    if (console.in.bad()) throw CtlError(ExitCode::other, "cannot read the value from stdin");
  } else {
    request.body = invocation.value;
  }
  return write(invocation, client, console, std::move(request));
}

ExitCode run_del(const Invocation& invocation, Client& client, Console& console) {
  Request request;
  request.method = http::verb::delete_;
  request.target = key_target(invocation.key, cas_query(invocation.expected_version));
  return write(invocation, client, console, std::move(request));
}

ExitCode run_get(const Invocation& invocation, Client& client, Console& console) {
  const bool json = invocation.output == OutputFormat::json;
  QueryParameters query;
  // The raw form carries any bytes as they are; JSON is asked for only to print it.
  if (!json) query.emplace_back("raw", "");
  if (invocation.local) query.emplace_back("consistency", "local");
  Request request;
  request.target = key_target(invocation.key, query);
  const Answer answer = client.send(request);
  check_answer(answer, invocation.key, false, client.endpoint(answer.endpoint).text());
  if (json) {
    console.out << dump(json_body(answer)) << '\n';
  } else {
    console.out << answer.body;
    // A terminal's prompt should not glue to the value; pipes get the bytes unchanged.
    if (console.out_is_terminal && !answer.body.ends_with('\n')) console.out << '\n';
  }
  return ExitCode::ok;
}

}  // namespace paxoskv::ctl

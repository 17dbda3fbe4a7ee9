// status: every endpoint's own /v1/status, not only the first that answers.
#include <iostream>
#include <variant>

#include "http/api_names.h"
#include "tools/ctl/answer_check.h"
#include "tools/ctl/commands.h"

namespace paxoskv::ctl {

ExitCode run_status(const Invocation& invocation, Client& client, Console& console) {
  std::vector<EndpointStatus> rows;
  bool any_answered = false;
  Request request;
  request.target = http::status_path;
  for (std::size_t endpoint = 0; endpoint < client.size(); ++endpoint) {
    EndpointStatus row{client.endpoint(endpoint).text(), std::nullopt, ""};
    auto outcome = client.send_to(endpoint, request);
    if (const auto* failure = std::get_if<Failure>(&outcome)) {
      row.error = failure->reason;
    } else {
      const Answer& answer = std::get<Answer>(outcome);
      any_answered = true;
      Json body = Json::parse(answer.body, nullptr, false);
      if (answer.status != 200) {
        row.error = "answered " + std::to_string(answer.status);
      } else if (!body.is_object()) {
        row.error = "malformed status (not a JSON object)";
      } else {
        row.status = std::move(body);
      }
    }
    rows.push_back(std::move(row));
  }
  if (invocation.output == OutputFormat::json) {
    console.out << dump(status_json(rows)) << '\n';
  } else {
    console.out << status_table(rows);
  }
  if (!any_answered) throw CtlError(ExitCode::unreachable, "no endpoint reachable");
  return ExitCode::ok;
}

}  // namespace paxoskv::ctl

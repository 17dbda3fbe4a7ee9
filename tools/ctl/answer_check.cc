#include "tools/ctl/answer_check.h"

#include <string>

#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {

namespace {

// The "error" text of an error body, or the raw body if it is not one.
std::string error_text(const Answer& answer) {
  const Json body = Json::parse(answer.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    return body["error"].get<std::string>();
  }
  return printable(answer.body.substr(0, 200));
}

std::string version_text(const Answer& answer) {
  const Json body = Json::parse(answer.body, nullptr, false);
  if (body.is_object() && body.contains("version")) return body["version"].dump();
  return "?";
}

}  // namespace

Json json_body(const Answer& answer) {
  Json body = Json::parse(answer.body, nullptr, false);
  if (body.is_discarded()) {
    throw CtlError(ExitCode::other,
                   "malformed answer (not JSON): " + printable(answer.body.substr(0, 200)));
  }
  return body;
}

void check_answer(const Answer& answer, std::string_view key, bool write,
                  std::string_view endpoint) {
  if (answer.status >= 200 && answer.status < 300) return;
  const std::string shown = printable(key);
  switch (answer.status) {
    case 404:
      throw CtlError(ExitCode::not_found, "not found: " + shown);
    case 409:
      throw CtlError(ExitCode::conflict,
                     "conflict: " + shown + " is at version " + version_text(answer));
    case 503:
      if (write) {
        throw CtlError(ExitCode::no_quorum, std::string(endpoint) + ": " + error_text(answer) +
                                                ": outcome unknown (a later read tells)");
      }
      throw CtlError(ExitCode::no_quorum, std::string(endpoint) + ": " + error_text(answer));
    default:
      throw CtlError(ExitCode::other, std::string(endpoint) + " answered " +
                                          std::to_string(answer.status) + ": " +
                                          error_text(answer));
  }
}

}  // namespace paxoskv::ctl

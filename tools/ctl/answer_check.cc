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

// What every kind of request shares: a replica that serves no more, a full disk, and any
// status a command does not expect.
[[noreturn]] void throw_refusal(const Answer& answer, std::string_view endpoint) {
  const std::string where(endpoint);
  switch (answer.status) {
    case 410:
      throw CtlError(ExitCode::removed,
                     where +
                         ": this replica was removed from the cluster (410): ask another "
                         "member (paxoskvctl member list shows them)");
    case 401:
      throw CtlError(ExitCode::unauthenticated,
                     where +
                         ": unauthenticated (401): give a valid token with --token or "
                         "$PAXOSKV_TOKEN");
    case 403:
      throw CtlError(ExitCode::permission_denied,
                     where +
                         ": permission denied (403): the token's role or prefix does not "
                         "allow this");
    case 507:
      throw CtlError(ExitCode::no_space,
                     where + ": " + error_text(answer) +
                         " (507): the replica's disk is (almost) full; the write was not done");
    default:
      throw CtlError(ExitCode::other, where + " answered " + std::to_string(answer.status) + ": " +
                                          error_text(answer));
  }
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
      throw_refusal(answer, endpoint);
  }
}

void check_member_answer(const Answer& answer, MemberChange change, std::uint32_t id,
                         std::string_view endpoint) {
  if (answer.status >= 200 && answer.status < 300) return;
  const std::string member = "member " + std::to_string(id);
  switch (answer.status) {
    case 404:
      throw CtlError(ExitCode::not_found, "not found: " + member + " is not a member");
    case 409:
      throw CtlError(ExitCode::conflict,
                     change == MemberChange::add
                         ? "conflict: id " + std::to_string(id) +
                               " is in use or was used before (ids are never reused)"
                         : "conflict: " + member + " is the last member");
    case 503:
      throw CtlError(ExitCode::no_quorum,
                     std::string(endpoint) + ": " + error_text(answer) +
                         ": the change may still go on (paxoskvctl member list tells)");
    default:
      throw_refusal(answer, endpoint);
  }
}

}  // namespace paxoskv::ctl

#include "tools/ctl/answer_check.h"

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <utility>

#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {
namespace {

Answer answer(unsigned status, std::string body) {
  Answer answer;
  answer.status = status;
  answer.body = std::move(body);
  return answer;
}

// The exit code and message of the error a check throws; ok if it throws none.
std::pair<ExitCode, std::string> outcome(const std::function<void()>& check) {
  try {
    check();
  } catch (const CtlError& error) {
    return {error.code(), error.what()};
  }
  return {ExitCode::ok, ""};
}

std::pair<ExitCode, std::string> key_outcome(unsigned status, std::string body, bool write) {
  return outcome([&] { check_answer(answer(status, body), "k", write, "h:1"); });
}

std::pair<ExitCode, std::string> member_outcome(unsigned status, std::string body,
                                                MemberChange change) {
  return outcome([&] { check_member_answer(answer(status, body), change, 4, "h:1"); });
}

}  // namespace

TEST_CASE("answers to key requests map to exit codes") {
  CHECK(key_outcome(200, "{}", true).first == ExitCode::ok);
  CHECK(key_outcome(404, R"({"error":"not found"})", false).first == ExitCode::not_found);
  CHECK(key_outcome(409, R"({"error":"version mismatch","version":3})", true) ==
        std::pair{ExitCode::conflict, std::string("conflict: k is at version 3")});
  CHECK(key_outcome(503, R"({"error":"no quorum"})", true).second ==
        "h:1: no quorum: outcome unknown (a later read tells)");
  CHECK(key_outcome(500, R"({"error":"internal error"})", false).first == ExitCode::other);
}

TEST_CASE("a removed replica and a full disk have exit codes of their own") {
  for (const bool write : {false, true}) {
    const auto removed = key_outcome(410, R"({"error":"removed"})", write);
    CHECK(removed.first == ExitCode::removed);
    CHECK(removed.second.find("removed from the cluster") != std::string::npos);
    CHECK(member_outcome(410, R"({"error":"removed"})", MemberChange::add).first ==
          ExitCode::removed);
  }
  const auto full = key_outcome(507, R"({"error":"no space"})", true);
  CHECK(full.first == ExitCode::no_space);
  CHECK(full.second ==
        "h:1: no space (507): the replica's disk is (almost) full; the write was "
        "not done");
  CHECK(static_cast<int>(ExitCode::removed) == 7);
  CHECK(static_cast<int>(ExitCode::no_space) == 8);
}

TEST_CASE("answers to member changes map to exit codes") {
  CHECK(member_outcome(200, "{}", MemberChange::add).first == ExitCode::ok);
  CHECK(member_outcome(409, R"({"error":"id in use"})", MemberChange::add) ==
        std::pair{ExitCode::conflict,
                  std::string("conflict: id 4 is in use or was used before (ids are never "
                              "reused)")});
  CHECK(member_outcome(409, R"({"error":"last member"})", MemberChange::remove) ==
        std::pair{ExitCode::conflict, std::string("conflict: member 4 is the last member")});
  CHECK(member_outcome(404, R"({"error":"unknown id"})", MemberChange::remove) ==
        std::pair{ExitCode::not_found, std::string("not found: member 4 is not a member")});
  CHECK(member_outcome(503, R"({"error":"no quorum"})", MemberChange::remove).first ==
        ExitCode::no_quorum);
  CHECK(member_outcome(400, R"({"error":"bad member"})", MemberChange::add) ==
        std::pair{ExitCode::other, std::string("h:1 answered 400: bad member")});
}

}  // namespace paxoskv::ctl

// Turns the API's answers into JSON bodies or paxoskvctl's errors and exit codes.
#pragma once

#include <cstdint>
#include <string_view>

#include "tools/ctl/client.h"
#include "tools/ctl/output.h"

namespace paxoskv::ctl {

// The body of an answer as JSON; CtlError (other) if it is not JSON.
Json json_body(const Answer& answer);

// Throws the CtlError that a non-2xx answer about `key` stands for: 404 not found (1),
// 409 conflict (4), 503 no quorum (3; "outcome unknown" for a write), 410 removed (7),
// 507 no space (8), any other (6). `endpoint` names who answered.
void check_answer(const Answer& answer, std::string_view key, bool write,
                  std::string_view endpoint);

enum class MemberChange { add, remove };

// The same for a membership change of member `id`: 404 unknown id (1), 409 id in use or
// used before / last member (4), 503 no quorum (3: the change may still go on), 410 (7),
// any other (6).
void check_member_answer(const Answer& answer, MemberChange change, std::uint32_t id,
                         std::string_view endpoint);

}  // namespace paxoskv::ctl

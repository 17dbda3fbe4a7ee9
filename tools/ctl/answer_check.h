// Turns the API's answers into JSON bodies or paxoskvctl's errors and exit codes.
#pragma once

#include <string_view>

#include "tools/ctl/client.h"
#include "tools/ctl/output.h"

namespace paxoskv::ctl {

// The body of an answer as JSON; CtlError (other) if it is not JSON.
Json json_body(const Answer& answer);

// Throws the CtlError that a non-2xx answer about `key` stands for: 404 not found (1),
// 409 conflict (4), 503 no quorum (3; "outcome unknown" for a write), any other (6).
// `endpoint` names who answered.
void check_answer(const Answer& answer, std::string_view key, bool write,
                  std::string_view endpoint);

}  // namespace paxoskv::ctl

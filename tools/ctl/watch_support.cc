#include "tools/ctl/watch_support.h"

#include "tools/ctl/answer_check.h"

namespace paxoskv::ctl {

bool EndpointSwitch::answered(const Answer& answer) {
  if (answer.status != 503) refusals_in_a_row_ = 0;
  return arrived_at(answer.endpoint);
}

bool EndpointSwitch::arrived_at(std::size_t endpoint) {
  const bool moved = endpoint_ && *endpoint_ != endpoint;
  if (moved) {
    err_ << "paxoskvctl: watch continues on " << client_.endpoint(endpoint).text() << std::endl;
  }
  endpoint_ = endpoint;
  return moved;
}

void EndpointSwitch::refused(const Answer& answer) {
  if (++refusals_in_a_row_ >= client_.size()) {
    check_answer(answer, "", false, client_.endpoint(answer.endpoint).text());
  }
  err_ << "paxoskvctl: watch: " << client_.endpoint(answer.endpoint).text() << " answered "
       << answer.status << ", moving on" << std::endl;
  client_.move_to_next();
}

void EndpointSwitch::failed(std::size_t endpoint, const Failure& failure) {
  err_ << "paxoskvctl: watch: " << client_.endpoint(endpoint).text() << ": " << failure.reason
       << ", moving on" << std::endl;
  client_.move_to_next();
}

}  // namespace paxoskv::ctl

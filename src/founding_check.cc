#include "src/founding_check.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace paxoskv {

FoundingVerdict judge_founding(const std::map<consensus::NodeId, HelloAnswer>& answers,
                               bool timed_out) {
  FoundingVerdict verdict;
  bool pending = false;
  for (const auto& [peer, answer] : answers) {
    switch (answer) {
      case HelloAnswer::kKnowsUs:
        verdict.knowing.push_back(peer);
        break;
      case HelloAnswer::kDoesNotKnowUs:
        break;
      case HelloAnswer::kUnreachable:
        verdict.unreachable.push_back(peer);
        break;
      case HelloAnswer::kAwaitingAnswer:
        pending = true;  // reachable: waited for, however long it takes
        break;
      case HelloAnswer::kPending:
        if (timed_out) {
          verdict.unreachable.push_back(peer);
        } else {
          pending = true;
        }
        break;
    }
  }
  if (!verdict.knowing.empty()) {
    verdict.kind = FoundingVerdict::Kind::kRefuse;
  } else if (!pending) {
    verdict.kind = FoundingVerdict::Kind::kFound;
  }
  return verdict;
}

std::string lost_data_message(consensus::NodeId self, const std::string& data_dir,
                              const std::vector<consensus::NodeId>& knowing) {
  return fmt::format(
      "replica {}: its data was lost: the data dir {} is new, but peer{} {} know{} replica id "
      "{} as having served, so its promises are gone and it must never vote again under id "
      "{}. Replace it: remove id {} from the cluster (DELETE /v1/members/{}), then add a new "
      "replica under a new id (POST /v1/members) on an empty data dir",
      self, data_dir, knowing.size() == 1 ? "" : "s", fmt::join(knowing, ", "),
      knowing.size() == 1 ? "s" : "", self, self, self, self);
}

}  // namespace paxoskv

#include "src/cluster_identity.h"

#include "consensus/cluster_name.h"

namespace paxoskv {

std::string cluster_fingerprint(const Options& options) {
  std::string fingerprint = options.cluster_name + consensus::kClusterNameEnd;
  bool first = true;
  for (const auto& [id, address] : options.cluster) {  // std::map: ordered by id
    if (!first) fingerprint += ',';
    fingerprint += std::to_string(id);
    first = false;
  }
  return fingerprint;
}

}  // namespace paxoskv

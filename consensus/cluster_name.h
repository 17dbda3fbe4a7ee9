// The cluster fingerprint: the text a replica's hello and its store's identity record carry
// to tell its cluster, "name:1,2,3" (the cluster name, then the founding member ids). Only
// the name tells two clusters apart: member ids change with the membership, and a
// fingerprint written before a change must keep matching. Shared vocabulary of the
// transport and the store, as the messages and records are.
#pragma once

#include <string_view>

#include "consensus/build_variant.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

// Ends the name in a fingerprint. Member ids never hold it; a name may.
inline constexpr char kClusterNameEnd = ':';

// The cluster name of `fingerprint`: what comes before its last kClusterNameEnd, or all of
// it if it has none.
constexpr std::string_view cluster_name_of(std::string_view fingerprint) {
  return fingerprint.substr(0, fingerprint.rfind(kClusterNameEnd));
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

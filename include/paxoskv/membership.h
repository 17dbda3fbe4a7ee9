// The configuration of a cluster as the embedded API and the HTTP API show it: which
// replicas are members, under which configuration version.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "paxoskv/result.h"

namespace paxoskv {

struct Member {
  std::uint32_t id = 0;
  std::string peer_address;  // "host:port"

  friend bool operator==(const Member&, const Member&) = default;
};

struct Membership {
  // The members in force, in id order: while a change runs, the configuration it goes to.
  std::vector<Member> members;
  // Grows by one at each step of a change (a change takes two: to the joint configuration
  // and out of it); 0 for the configuration the cluster was founded with.
  std::uint64_t config_version = 0;
  // While a change runs: the members of the configuration it leaves. Until it ends, every
  // decision needs a majority of these as well as a majority of `members`.
  std::vector<Member> leaving;
  // Ids removed at some time: never used again.
  std::vector<std::uint32_t> retired;
};

struct MembershipResult {
  Result result;
  Membership membership;  // with ok: the configuration after the change
};

}  // namespace paxoskv

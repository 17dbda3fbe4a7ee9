// The configuration of the cluster: which replicas are members, as chosen state.
//
// It is the value of one reserved key, kConfigKey, written by the same per-key Paxos as
// every other key; its version is that key's version (0: the configuration the cluster
// was founded with, which every founding replica is given). A change goes in two steps,
// each one write of kConfigKey (see config_change.h): C -> joint(C, C') -> C'. While joint,
// every quorum is a majority of C and a majority of C' (see QuorumRule).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/build_variant.h"
#include "consensus/types.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

// Client keys never hold a NUL byte, so this one is never a client's.
inline constexpr std::string_view kConfigKey{"\0config", 7};
// Whether `key` is one of the core's own keys (never shown to clients).
inline bool is_reserved_key(std::string_view key) {
  return !key.empty() && key.front() == '\0';
}

struct ConfigMember {
  NodeId id = 0;
  std::string address;  // where peers reach it, "host:port"

  friend bool operator==(const ConfigMember&, const ConfigMember&) = default;
};

struct Configuration {
  Version version = 0;
  std::vector<ConfigMember> members;  // in force; while joint, those it goes to (by id)
  std::vector<ConfigMember> leaving;  // while joint: the members of the one it leaves
  std::vector<NodeId> retired;        // ids removed at some time: never used again

  bool joint() const { return !leaving.empty(); }
  std::vector<NodeId> member_ids() const;
  std::vector<NodeId> leaving_ids() const;
  // Everyone whose vote counts: the members, and while joint those leaving too.
  std::vector<NodeId> voters() const;
  bool is_member(NodeId id) const;
  bool is_voter(NodeId id) const;
  // Whether `id` was ever used: a member, leaving or retired.
  bool id_used(NodeId id) const;
  std::optional<std::string> address_of(NodeId id) const;

  friend bool operator==(const Configuration&, const Configuration&) = default;
};

// The value kConfigKey holds for `configuration` (its version is the key's, not stored).
std::string encode_configuration(const Configuration& configuration);
// nullopt if `value` is not one encode_configuration made.
std::optional<Configuration> decode_configuration(std::string_view value, Version version);

// Who must answer for a decision to count: a majority of `members`, and, while a change
// runs, a majority of `leaving` as well.
struct QuorumRule {
  std::vector<NodeId> members;
  std::vector<NodeId> leaving;

  static QuorumRule of(const Configuration& configuration);
  bool reached_by(const std::vector<NodeId>& voters) const;
};

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

#include "consensus/configuration.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "consensus/build_variant.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

namespace {

constexpr std::string_view kHeader = "paxoskv-configuration 1";

std::vector<NodeId> ids_of(const std::vector<ConfigMember>& members) {
  std::vector<NodeId> ids;
  ids.reserve(members.size());
  for (const ConfigMember& member : members) ids.push_back(member.id);
  return ids;
}

bool contains(const std::vector<NodeId>& ids, NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::size_t count_in(const std::vector<NodeId>& voters, const std::vector<NodeId>& group) {
  return static_cast<std::size_t>(std::count_if(
      voters.begin(), voters.end(), [&](NodeId voter) { return contains(group, voter); }));
}

std::optional<NodeId> parse_id(std::string_view text) {
  NodeId id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc{} || end != text.data() + text.size() || id == 0) return std::nullopt;
  return id;
}

// An address holds no space, newline or NUL: it is one word of a line.
bool well_formed_address(std::string_view address) {
  return !address.empty() &&
         address.find_first_of(std::string_view(" \n\r\t\0", 5)) == std::string_view::npos;
}

}  // namespace

std::vector<NodeId> Configuration::member_ids() const {
  return ids_of(members);
}

std::vector<NodeId> Configuration::leaving_ids() const {
  return ids_of(leaving);
}

std::vector<NodeId> Configuration::voters() const {
  std::vector<NodeId> voters = member_ids();
  for (const ConfigMember& member : leaving) {
    if (!contains(voters, member.id)) voters.push_back(member.id);
  }
  std::sort(voters.begin(), voters.end());
  return voters;
}

bool Configuration::is_member(NodeId id) const {
  return contains(member_ids(), id);
}

bool Configuration::is_voter(NodeId id) const {
  return is_member(id) || contains(leaving_ids(), id);
}

bool Configuration::id_used(NodeId id) const {
  return is_voter(id) || contains(retired, id);
}

std::optional<std::string> Configuration::address_of(NodeId id) const {
  for (const auto* group : {&members, &leaving}) {
    for (const ConfigMember& member : *group) {
      if (member.id == id) return member.address;
    }
  }
  return std::nullopt;
}

// One line per fact: "member ID ADDRESS", "leaving ID ADDRESS", "retired ID".
std::string encode_configuration(const Configuration& configuration) {
  std::ostringstream out;
  out << kHeader << '\n';
  for (const ConfigMember& member : configuration.members) {
    out << "member " << member.id << ' ' << member.address << '\n';
  }
  for (const ConfigMember& member : configuration.leaving) {
    out << "leaving " << member.id << ' ' << member.address << '\n';
  }
  for (NodeId id : configuration.retired) out << "retired " << id << '\n';
  return out.str();
}

std::optional<Configuration> decode_configuration(std::string_view value, Version version) {
  Configuration configuration;
  configuration.version = version;
  bool header_seen = false;
  while (!value.empty()) {
    const std::size_t end = value.find('\n');
    if (end == std::string_view::npos) return std::nullopt;  // every line ends with one
    const std::string_view line = value.substr(0, end);
    value.remove_prefix(end + 1);
    if (!header_seen) {
      if (line != kHeader) return std::nullopt;
      header_seen = true;
      continue;
    }
    const std::size_t first_space = line.find(' ');
    if (first_space == std::string_view::npos) return std::nullopt;
    const std::string_view kind = line.substr(0, first_space);
    const std::string_view rest = line.substr(first_space + 1);
    if (kind == "retired") {
      const std::optional<NodeId> id = parse_id(rest);
      if (!id) return std::nullopt;
      configuration.retired.push_back(*id);
      continue;
    }
    const std::size_t second_space = rest.find(' ');
    if (second_space == std::string_view::npos) return std::nullopt;
    const std::optional<NodeId> id = parse_id(rest.substr(0, second_space));
    const std::string_view address = rest.substr(second_space + 1);
    if (!id || !well_formed_address(address)) return std::nullopt;
    if (kind == "member") {
      configuration.members.push_back(ConfigMember{*id, std::string(address)});
    } else if (kind == "leaving") {
      configuration.leaving.push_back(ConfigMember{*id, std::string(address)});
    } else {
      return std::nullopt;
    }
  }
  if (!header_seen || configuration.members.empty()) return std::nullopt;
  return configuration;
}

QuorumRule QuorumRule::of(const Configuration& configuration) {
  return QuorumRule{configuration.member_ids(), configuration.leaving_ids()};
}

bool QuorumRule::reached_by(const std::vector<NodeId>& voters) const {
  if (members.empty()) return false;  // no configuration known yet
  if (count_in(voters, members) < members.size() / 2 + 1) return false;
  return leaving.empty() || count_in(voters, leaving) >= leaving.size() / 2 + 1;
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD

#include "http/json_render.h"

#include "http/encoding/base64.h"
#include "http/utf8.h"

namespace paxoskv::http {

void add_bytes(Json& object, std::string_view field, std::string_view bytes) {
  if (is_valid_utf8(bytes)) {
    object[std::string(field)] = bytes;
  } else {
    object[std::string(field) + "_base64"] = base64_encode(bytes);
  }
}

Json write_json(std::string_view key, std::uint64_t version) {
  Json object = Json::object();
  add_bytes(object, "key", key);
  object["version"] = version;
  return object;
}

Json entry_json(std::string_view key, std::string_view value, std::uint64_t version) {
  Json object = Json::object();
  add_bytes(object, "key", key);
  add_bytes(object, "value", value);
  object["version"] = version;
  return object;
}

Json list_json(const ListResult& list) {
  Json items = Json::array();
  for (const Entry& entry : list.items) {
    items.push_back(entry_json(entry.key, entry.value, entry.version));
  }
  Json object = Json::object();
  object["items"] = std::move(items);
  object["more"] = list.more;
  return object;
}

Json changes_json(const std::vector<Change>& changes, std::uint64_t index) {
  Json rendered = Json::array();
  for (const Change& change : changes) {
    Json object = Json::object();
    add_bytes(object, "key", change.key);
    if (change.value) add_bytes(object, "value", *change.value);
    object["version"] = change.version;
    object["deleted"] = !change.value.has_value();
    object["index"] = change.index;
    rendered.push_back(std::move(object));
  }
  Json object = Json::object();
  object["changes"] = std::move(rendered);
  object["index"] = index;
  return object;
}

namespace {

Json member_list_json(const std::vector<Member>& members) {
  Json list = Json::array();
  for (const Member& member : members) {
    Json object = Json::object();
    object["id"] = member.id;
    object["peer_address"] = member.peer_address;
    list.push_back(std::move(object));
  }
  return list;
}

// The members with what this replica sees of them; counts the reachable ones.
Json member_states_json(const NodeStatus& status, const std::vector<Member>& members,
                        std::size_t& reachable) {
  Json list = Json::array();
  reachable = 0;
  for (const Member& member : members) {
    const bool self = member.id == status.id;
    const auto found = status.reachable.find(member.id);
    const bool up = self || (found != status.reachable.end() && found->second);
    reachable += up ? 1 : 0;
    Json object = Json::object();
    object["id"] = member.id;
    object["peer_address"] = member.peer_address;
    object["self"] = self;
    object["reachable"] = up;
    list.push_back(std::move(object));
  }
  return list;
}

std::size_t majority(std::size_t members) {
  return members / 2 + 1;
}

}  // namespace

Json membership_json(const Membership& membership) {
  Json object = Json::object();
  object["members"] = member_list_json(membership.members);
  object["config_version"] = membership.config_version;
  if (!membership.leaving.empty()) object["leaving"] = member_list_json(membership.leaving);
  object["retired"] = membership.retired;
  return object;
}

Json status_json(const NodeStatus& status) {
  const Membership& membership = status.membership;
  std::size_t reachable_members = 0;
  std::size_t reachable_leaving = 0;
  Json members = member_states_json(status, membership.members, reachable_members);
  Json leaving = member_states_json(status, membership.leaving, reachable_leaving);
  // Every replica this one knows of (both configurations while a change runs), itself
  // included.
  std::size_t reachable = 1;
  for (const auto& [id, up] : status.reachable) reachable += up && id != status.id ? 1 : 0;
  const std::size_t quorum = majority(membership.members.size());
  const bool has_quorum =
      !status.removed && reachable_members >= quorum &&
      (membership.leaving.empty() || reachable_leaving >= majority(membership.leaving.size()));

  Json object = Json::object();
  object["id"] = status.id;
  object["members"] = std::move(members);
  if (!membership.leaving.empty()) object["leaving"] = std::move(leaving);
  object["reachable"] = reachable;
  object["quorum"] = quorum;
  object["has_quorum"] = has_quorum;
  object["index"] = status.index;
  object["config_version"] = membership.config_version;
  object["removed"] = status.removed;
  return object;
}

Json error_json(std::string_view message) {
  Json object = Json::object();
  object["error"] = message;
  return object;
}

std::string to_text(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace paxoskv::http

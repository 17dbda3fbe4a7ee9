#include "tools/ctl/output.h"

#include <algorithm>
#include <cstdio>

#include "http/client/answers.h"
#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {

namespace {

// "name" as text, or "name_base64" decoded; nullopt if neither is there.
std::optional<std::string> bytes_field(const Json& object, std::string_view name) {
  try {
    return http::client::bytes_field(object, name);
  } catch (const http::client::MalformedAnswer& error) {
    throw CtlError(ExitCode::other, std::string("malformed answer: ") + error.what());
  }
}

std::optional<std::uint64_t> number_field(const Json& object, const char* name) {
  const auto found = object.find(name);
  if (found == object.end()) return std::nullopt;
  if (!found->is_number_unsigned()) {
    throw CtlError(ExitCode::other, std::string("malformed answer: bad ") + name);
  }
  return found->get<std::uint64_t>();
}

std::string value_text(const Entry& entry) {
  return entry.value ? *entry.value : "<deleted>";
}

std::string members_text(const Json& members) {
  std::string text;
  for (const Json& member : members) {
    if (!text.empty()) text += ' ';
    text += member.contains("id") ? member["id"].dump() : "?";
    text += ':';
    if (member.value("self", false)) {
      text += "self";
    } else {
      text += member.value("reachable", false) ? "up" : "down";
    }
  }
  return text;
}

std::vector<std::string> status_row(const EndpointStatus& row) {
  if (!row.status) return {row.endpoint, "-", "-", "-", "-", row.error};
  const Json& status = *row.status;
  auto field = [&](const char* name) {
    return status.contains(name) ? status[name].dump() : std::string("?");
  };
  const Json members = status.value("members", Json::array());
  const std::string quorum = status.value("removed", false)
                                 ? std::string("removed")
                                 : std::string(status.value("has_quorum", false) ? "yes" : "no") +
                                       " (" + field("reachable") + "/" +
                                       std::to_string(members.size()) + ")";
  std::string shown_members = members_text(members);
  if (status.contains("leaving")) shown_members += " leaving " + members_text(status["leaving"]);
  return {row.endpoint, field("id"), quorum, field("index"), field("config_version"),
          shown_members};
}

}  // namespace

Entry entry_from_json(const Json& object) {
  if (!object.is_object()) throw CtlError(ExitCode::other, "malformed answer: not an object");
  Entry entry;
  auto key = bytes_field(object, "key");
  if (!key) throw CtlError(ExitCode::other, "malformed answer: no key");
  entry.key = std::move(*key);
  entry.value = bytes_field(object, "value");
  entry.version = number_field(object, "version").value_or(0);
  entry.index = number_field(object, "index");
  return entry;
}

Json change_json(const Json& object, bool deleted) {
  Json change = Json::object();
  for (const char* name : {"key", "key_base64", "value", "value_base64", "version", "index"}) {
    if (const auto found = object.find(name); found != object.end()) change[name] = *found;
  }
  if (deleted) {
    change.erase("value");
    change.erase("value_base64");
  }
  change["deleted"] = deleted;
  return change;
}

std::string list_line(const Entry& entry) {
  return entry.key + " = " + value_text(entry) + " (v" + std::to_string(entry.version) + ")\n";
}

std::string key_change_line(const Entry& entry) {
  return "v" + std::to_string(entry.version) + " " + value_text(entry) + "\n";
}

std::string prefix_change_line(const Entry& entry, std::uint64_t index) {
  return std::to_string(index) + " " + entry.key + " v" + std::to_string(entry.version) + " " +
         value_text(entry) + "\n";
}

std::string printable(std::string_view bytes) {
  std::string text;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F && c != '\\') {
      text += c;
    } else if (c == '\\') {
      text += "\\\\";
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      text += escaped;
    }
  }
  return text;
}

namespace {

// Columns padded to their widest cell, two spaces apart; the last one not padded.
std::string aligned(const std::vector<std::vector<std::string>>& cells) {
  std::vector<std::size_t> widths(cells.front().size(), 0);
  for (const auto& line : cells) {
    for (std::size_t column = 0; column < line.size(); ++column) {
      widths[column] = std::max(widths[column], line[column].size());
    }
  }
  std::string table;
  for (const auto& line : cells) {
    for (std::size_t column = 0; column < line.size(); ++column) {
      table += line[column];
      if (column + 1 < line.size()) table.append(widths[column] - line[column].size() + 2, ' ');
    }
    table += '\n';
  }
  return table;
}

}  // namespace

std::string status_table(const std::vector<EndpointStatus>& rows) {
  std::vector<std::vector<std::string>> cells = {
      {"ENDPOINT", "ID", "QUORUM", "INDEX", "CONFIG", "MEMBERS"}};
  for (const EndpointStatus& row : rows) cells.push_back(status_row(row));
  return aligned(cells);
}

std::string members_table(const Json& membership) {
  auto malformed = [] { return CtlError(ExitCode::other, "malformed answer: not a member list"); };
  if (!membership.is_object() || !membership.contains("members") ||
      !membership["members"].is_array()) {
    throw malformed();
  }
  const Json& members = membership["members"];
  const Json leaving = membership.value("leaving", Json::array());
  if (!leaving.is_array()) throw malformed();
  auto id_of = [&](const Json& member) {
    if (!member.is_object() || !member.contains("id") || !member["id"].is_number_unsigned() ||
        !member.contains("peer_address") || !member["peer_address"].is_string()) {
      throw malformed();
    }
    return member["id"].get<std::uint64_t>();
  };
  auto listed_in = [&](const Json& list, std::uint64_t id) {
    return std::any_of(list.begin(), list.end(),
                       [&](const Json& member) { return id_of(member) == id; });
  };
  std::vector<std::vector<std::string>> cells = {{"ID", "PEER_ADDRESS", "STATE"}};
  for (const Json& member : members) {
    const std::uint64_t id = id_of(member);
    const bool joining = !leaving.empty() && !listed_in(leaving, id);
    cells.push_back({std::to_string(id), printable(member["peer_address"].get<std::string>()),
                     joining ? "joining" : "member"});
  }
  for (const Json& member : leaving) {
    const std::uint64_t id = id_of(member);
    if (listed_in(members, id)) continue;
    cells.push_back(
        {std::to_string(id), printable(member["peer_address"].get<std::string>()), "leaving"});
  }
  std::string table = aligned(cells);
  table += "config version " + (membership.contains("config_version")
                                    ? membership["config_version"].dump()
                                    : std::string("?"));
  if (!leaving.empty()) table += " (a change is running)";
  const Json retired = membership.value("retired", Json::array());
  if (retired.is_array() && !retired.empty()) {
    std::string ids;
    for (const Json& id : retired) ids += (ids.empty() ? "" : ", ") + id.dump();
    table += "; retired ids (never reused): " + ids;
  }
  table += '\n';
  return table;
}

Json status_json(const std::vector<EndpointStatus>& rows) {
  Json array = Json::array();
  for (const EndpointStatus& row : rows) {
    Json item = {{"endpoint", row.endpoint}};
    if (row.status) {
      item["status"] = *row.status;
    } else {
      item["error"] = row.error;
    }
    array.push_back(std::move(item));
  }
  return array;
}

std::string dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace paxoskv::ctl

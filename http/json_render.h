// The JSON shapes of the API's answers.
//
// JSON strings carry only Unicode text, so a key or value that is not valid UTF-8 is
// rendered base64-encoded under the field name plus "_base64" ("key_base64",
// "value_base64") instead of its plain field.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "paxoskv/membership.h"
#include "paxoskv/node.h"
#include "paxoskv/result.h"

namespace paxoskv::http {

using Json = nlohmann::ordered_json;

// Sets `object[field]` to `bytes`, or `object[field + "_base64"]` when not UTF-8.
void add_bytes(Json& object, std::string_view field, std::string_view bytes);

// {"key": k, "version": v}: what a write answers.
Json write_json(std::string_view key, std::uint64_t version);
// {"key": k, "value": v, "version": n}: one entry, as a GET and a listing show it.
Json entry_json(std::string_view key, std::string_view value, std::uint64_t version);
// {"items": [entry...], "more": bool}
Json list_json(const ListResult& list);
// What a long poll on a prefix answers:
//   {"changes": [{"key": k, "value": v, "version": n, "deleted": false, "index": i}, ...],
//    "index": replica's change index}
// A deleted key has "deleted": true and no value; "index" of a change is the replica's
// change index of it, the one to wait from next is the top-level "index".
Json changes_json(const std::vector<Change>& changes, std::uint64_t index);
// What /v1/members answers (and a membership change, once in force):
//   {"members": [{"id", "peer_address"}...], "config_version": N, "retired": [ids]},
// and "leaving": [{"id", "peer_address"}...], the configuration being left, while a
// change runs.
Json membership_json(const Membership& membership);
// What /v1/status answers: id, the members (and, while a change runs, the leaving ones)
// each with "reachable" and "self", how many replicas this one reaches, the quorum and
// whether it has one (a majority of the members, and of the leaving ones while a change
// runs), the change index, the configuration version, and whether it was removed.
Json status_json(const NodeStatus& status);
// {"error": message}; callers add the context fields.
Json error_json(std::string_view message);

// Never throws: anything not UTF-8 that slipped into a string is replaced, not fatal.
std::string to_text(const Json& json);

}  // namespace paxoskv::http

// How paxoskvctl shows what the API answers: entries, changes, status rows.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paxoskv::ctl {

using Json = nlohmann::json;

// A key's state or change as the API renders it, bytes decoded from base64.
struct Entry {
  std::string key;
  std::optional<std::string> value;  // absent: deleted (or never existed)
  std::uint64_t version = 0;
  std::optional<std::uint64_t> index;  // a prefix change's change index
};

// Reads {"key"|"key_base64", "value"|"value_base64", "version", "index"?}.
// Throws CtlError (other) on a malformed object.
Entry entry_from_json(const Json& object);

// The object as printed with -o json: the API's fields kept as they are (so a binary
// value stays "value_base64"), plus "deleted".
Json change_json(const Json& object, bool deleted);

// ls: "key = value (vN)".
std::string list_line(const Entry& entry);
// watch KEY: "vN value" or "vN <deleted>".
std::string key_change_line(const Entry& entry);
// watch --prefix: "index key vN value" or "index key vN <deleted>".
std::string prefix_change_line(const Entry& entry, std::uint64_t index);

// A key or value inside a message: control and non-ASCII bytes as \xNN.
std::string printable(std::string_view bytes);

// One endpoint's answer to /v1/status, or why it gave none.
struct EndpointStatus {
  std::string endpoint;
  std::optional<Json> status;
  std::string error;
};

// status: one row per endpoint, columns aligned.
std::string status_table(const std::vector<EndpointStatus>& rows);
// status -o json: [{"endpoint", "status"} or {"endpoint", "error"}].
Json status_json(const std::vector<EndpointStatus>& rows);

// member list (and what add and remove print): one member a line, "ID PEER_ADDRESS STATE"
// where STATE is "member", or while a change runs "joining" or "leaving", then the
// configuration version and the retired ids. Throws CtlError (other) on a malformed
// answer.
std::string members_table(const Json& membership);

// JSON text that is always valid UTF-8 (the API's strings already are).
std::string dump(const Json& json);

}  // namespace paxoskv::ctl

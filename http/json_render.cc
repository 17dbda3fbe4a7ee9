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

Json error_json(std::string_view message) {
  Json object = Json::object();
  object["error"] = message;
  return object;
}

std::string to_text(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace paxoskv::http

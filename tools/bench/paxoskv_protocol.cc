#include "paxoskv_protocol.h"

#include "http/api_names.h"
#include "http/encoding/percent_encoding.h"
#include "json_scan.h"

namespace paxoskv::bench {

void append_head(std::string& out, std::string_view method, std::string_view key) {
  out.clear();
  out += method;
  out += ' ';
  out += http::kv_key_path_prefix;
  http::append_percent_encoded(out, key, http::Slashes::kept);
}

void PaxoskvProtocol::append_headers(std::string& out, std::string_view host, std::size_t body_size,
                                     bool has_body) const {
  out += " HTTP/1.1\r\nHost: ";
  out += host;
  if (!token_.empty()) {
    out += "\r\nAuthorization: Bearer ";
    out += token_;
  }
  if (has_body) {
    out += "\r\nContent-Length: ";
    append_number(out, body_size);
  }
  out += "\r\n\r\n";
}

void PaxoskvProtocol::format_put(RequestText& out, std::string_view host, std::string_view key,
                                 std::string_view value) const {
  append_head(out.head, "PUT", key);
  append_headers(out.head, host, value.size(), true);
  out.shared_body = value;
}

void PaxoskvProtocol::format_get(RequestText& out, std::string_view host, std::string_view key,
                                 bool local) const {
  append_head(out.head, "GET", key);
  if (local) out.head += "?consistency=local";
  append_headers(out.head, host, 0, false);
  out.body.clear();
  out.shared_body = {};
}

void PaxoskvProtocol::format_cas(RequestText& out, std::string_view host, std::string_view key,
                                 std::uint64_t version, std::string_view value) const {
  append_head(out.head, "PUT", key);
  out.head += "?cas=";
  append_number(out.head, version);
  append_headers(out.head, host, value.size(), true);
  out.body.assign(value);
  out.shared_body = {};
}

void PaxoskvProtocol::format_delete(RequestText& out, std::string_view host,
                                    std::string_view key) const {
  append_head(out.head, "DELETE", key);
  append_headers(out.head, host, 0, false);
  out.body.clear();
  out.shared_body = {};
}

Outcome PaxoskvProtocol::delete_outcome(const Reply& reply) const {
  if (reply.status == 404) return Outcome::not_found;
  return reply.status == 200 ? Outcome::ok : Outcome::failed;
}

Outcome PaxoskvProtocol::put_outcome(const Reply& reply) const {
  return reply.status == 200 ? Outcome::ok : Outcome::failed;
}

ReadResult PaxoskvProtocol::get_outcome(const Reply& reply) const {
  if (reply.status == 404) return {Outcome::not_found, 0};  // absent: cas=0 expects that
  if (reply.status != 200) return {Outcome::failed, 0};
  const auto version = find_json_uint(reply.body, "version");
  if (!version) return {Outcome::failed, 0};
  return {Outcome::ok, *version};
}

Outcome PaxoskvProtocol::cas_outcome(const Reply& reply) const {
  if (reply.status == 409) return Outcome::conflict;
  return reply.status == 200 ? Outcome::ok : Outcome::failed;
}

}  // namespace paxoskv::bench

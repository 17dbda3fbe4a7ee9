#include "lease_requests.h"

#include "http/api_names.h"
#include "json_scan.h"
#include "paxoskv_protocol.h"

namespace paxoskv::bench {

void LeaseRequests::append_headers(std::string& out, std::string_view host,
                                   std::size_t body_size) const {
  out += " HTTP/1.1\r\nHost: ";
  out += host;
  if (!token_.empty()) {
    out += "\r\nAuthorization: Bearer ";
    out += token_;
  }
  out += "\r\nContent-Length: ";
  append_number(out, body_size);
  out += "\r\n\r\n";
}

void LeaseRequests::format_grant(RequestText& out, std::string_view host,
                                 std::string_view ttl) const {
  out.body = R"({"ttl":")";
  out.body += ttl;
  out.body += "\"}";
  out.shared_body = {};
  out.head = "POST ";
  out.head += http::leases_path;
  append_headers(out.head, host, out.body.size());
}

void LeaseRequests::format_keepalive(RequestText& out, std::string_view host,
                                     std::string_view id) const {
  out.head = "POST ";
  out.head += http::lease_path_prefix;
  out.head += id;
  out.head += "/keepalive";
  append_headers(out.head, host, 0);
  out.body.clear();
  out.shared_body = {};
}

void LeaseRequests::format_take(RequestText& out, std::string_view host, std::string_view key,
                                std::string_view id) const {
  append_head(out.head, "PUT", key);
  out.head += "?cas=0&lease=";
  out.head += id;
  out.body = "bench";
  out.shared_body = {};
  append_headers(out.head, host, out.body.size());
}

void LeaseRequests::format_wait(RequestText& out, std::string_view host, std::string_view key,
                                std::uint64_t version) const {
  append_head(out.head, "GET", key);
  out.head += "?wait=";
  append_number(out.head, version);
  out.head += "&timeout=1s";
  append_headers(out.head, host, 0);
  out.body.clear();
  out.shared_body = {};
}

void LeaseRequests::format_release(RequestText& out, std::string_view host, std::string_view key,
                                   std::uint64_t version) const {
  append_head(out.head, "DELETE", key);
  out.head += "?cas=";
  append_number(out.head, version);
  append_headers(out.head, host, 0);
  out.body.clear();
  out.shared_body = {};
}

std::optional<std::string> LeaseRequests::granted_id(const Reply& reply) {
  if (reply.status != 200) return std::nullopt;
  std::optional<std::string_view> id = find_json_string(reply.body, "id");
  if (!id || id->empty()) return std::nullopt;
  return std::string(*id);
}

}  // namespace paxoskv::bench

#include "etcd_protocol.h"

#include "http/encoding/base64.h"
#include "json_scan.h"

namespace paxoskv::bench {
namespace {

// Base64 output needs no JSON escaping, so it goes between the quotes as is.
void append_quoted_base64(std::string& out, std::string_view bytes) {
  out += '"';
  http::append_base64(out, bytes);
  out += '"';
}

// The head for a POST of `out.body`, which must be complete.
void finish_post(RequestText& out, std::string_view path, std::string_view host) {
  out.head.clear();
  out.head += "POST ";
  out.head += path;
  out.head += " HTTP/1.1\r\nHost: ";
  out.head += host;
  out.head += "\r\nContent-Type: application/json\r\nContent-Length: ";
  append_number(out.head, out.body.size());
  out.head += "\r\n\r\n";
  out.shared_body = {};
}

}  // namespace

void EtcdProtocol::format_put(RequestText& out, std::string_view host, std::string_view key,
                              std::string_view value) const {
  out.body.clear();
  out.body += R"({"key":)";
  append_quoted_base64(out.body, key);
  out.body += R"(,"value":)";
  append_quoted_base64(out.body, value);
  out.body += '}';
  finish_post(out, "/v3/kv/put", host);
}

void EtcdProtocol::format_get(RequestText& out, std::string_view host, std::string_view key,
                              bool local) const {
  out.body.clear();
  out.body += R"({"key":)";
  append_quoted_base64(out.body, key);
  if (local) out.body += R"(,"serializable":true)";
  out.body += '}';
  finish_post(out, "/v3/kv/range", host);
}

void EtcdProtocol::format_cas(RequestText& out, std::string_view host, std::string_view key,
                              std::uint64_t version, std::string_view value) const {
  // Version 0 compares true exactly when the key does not exist, as for paxoskv's cas=0.
  out.body.clear();
  out.body += R"({"compare":[{"key":)";
  append_quoted_base64(out.body, key);
  out.body += R"(,"target":"VERSION","result":"EQUAL","version":")";
  append_number(out.body, version);
  out.body += R"("}],"success":[{"request_put":{"key":)";
  append_quoted_base64(out.body, key);
  out.body += R"(,"value":)";
  append_quoted_base64(out.body, value);
  out.body += "}}]}";
  finish_post(out, "/v3/kv/txn", host);
}

void EtcdProtocol::format_delete(RequestText& out, std::string_view host,
                                 std::string_view key) const {
  out.body.clear();
  out.body += R"({"key":)";
  append_quoted_base64(out.body, key);
  out.body += '}';
  finish_post(out, "/v3/kv/deleterange", host);
}

Outcome EtcdProtocol::delete_outcome(const Reply& reply) const {
  if (reply.status != 200) return Outcome::failed;
  // "deleted" is left out of the JSON when it is 0.
  return find_json_uint(reply.body, "deleted") ? Outcome::ok : Outcome::not_found;
}

Outcome EtcdProtocol::put_outcome(const Reply& reply) const {
  return reply.status == 200 ? Outcome::ok : Outcome::failed;
}

ReadResult EtcdProtocol::get_outcome(const Reply& reply) const {
  if (reply.status != 200) return {Outcome::failed, 0};
  // An absent key is a 200 without "kvs"; a present one carries its version there.
  const auto version = find_json_uint(reply.body, "version");
  if (!version) return {Outcome::not_found, 0};
  return {Outcome::ok, *version};
}

Outcome EtcdProtocol::cas_outcome(const Reply& reply) const {
  if (reply.status != 200) return Outcome::failed;
  // A failed compare leaves "succeeded" out (proto3 JSON omits false).
  return find_json_true(reply.body, "succeeded") ? Outcome::ok : Outcome::conflict;
}

}  // namespace paxoskv::bench

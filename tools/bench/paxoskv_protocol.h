// The benchmark's operations in paxoskv's HTTP API (README): PUT/GET /v1/kv/{key},
// `?consistency=local` reads, `?cas=N` writes.
#pragma once

#include <string>
#include <utility>

#include "protocol.h"

namespace paxoskv::bench {

// Starts `out` anew with "METHOD /v1/kv/{key}", the key percent-encoded ('/' kept).
void append_head(std::string& out, std::string_view method, std::string_view key);

class PaxoskvProtocol final : public Protocol {
 public:
  // A non-empty `token` goes with every request as "Authorization: Bearer <token>".
  explicit PaxoskvProtocol(std::string token = {}) : token_(std::move(token)) {}

  void format_put(RequestText& out, std::string_view host, std::string_view key,
                  std::string_view value) const override;
  void format_get(RequestText& out, std::string_view host, std::string_view key,
                  bool local) const override;
  void format_cas(RequestText& out, std::string_view host, std::string_view key,
                  std::uint64_t version, std::string_view value) const override;

  void format_delete(RequestText& out, std::string_view host, std::string_view key) const override;
  Outcome put_outcome(const Reply& reply) const override;
  Outcome delete_outcome(const Reply& reply) const override;
  ReadResult get_outcome(const Reply& reply) const override;
  Outcome cas_outcome(const Reply& reply) const override;

 private:
  void append_headers(std::string& out, std::string_view host, std::size_t body_size,
                      bool has_body) const;

  std::string token_;
};

}  // namespace paxoskv::bench

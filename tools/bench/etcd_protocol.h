// The benchmark's operations in etcd v3's JSON gateway, for comparison runs:
// POST /v3/kv/put, /v3/kv/range (linearizable unless "serializable"), and /v3/kv/txn
// comparing the key's version for compare-and-swap. Keys and values are base64.
#pragma once

#include "protocol.h"

namespace paxoskv::bench {

class EtcdProtocol final : public Protocol {
 public:
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
};

}  // namespace paxoskv::bench

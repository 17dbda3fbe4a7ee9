// How one system under test spells the benchmark's operations over HTTP, and how its
// replies are judged. The load loop is written once against this interface.
#pragma once

#include <array>
#include <boost/asio/buffer.hpp>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace paxoskv::bench {

// An HTTP/1.1 request as two pieces written with one gather write: the head (request
// line and headers) and the body, either assembled per request in `body` or, when
// `shared_body` is set, a value kept elsewhere so that it is never copied. Each
// connection owns one and reuses its capacity.
struct RequestText {
  std::string head;
  std::string body;
  std::string_view shared_body;

  std::array<boost::asio::const_buffer, 2> buffers() const {
    const std::string_view payload = shared_body.empty() ? std::string_view(body) : shared_body;
    return {boost::asio::buffer(head), boost::asio::buffer(payload)};
  }
};

// Appends `number` in decimal, without allocating (requests are formatted on the hot path).
inline void append_number(std::string& out, std::uint64_t number) {
  char digits[24];
  const auto [end, error] = std::to_chars(digits, digits + sizeof digits, number);
  out.append(digits, end);
}

// What came back; views into the connection's buffers, valid until its next request.
struct Reply {
  unsigned status = 0;
  std::string_view body;
};

enum class Outcome {
  ok,
  not_found,  // a read of a key that does not exist: an answer, not an error
  conflict,   // a compare-and-swap that lost the race: an answer, not an error
  failed,     // anything else: counted as an error of kind "http <status>"
};

struct ReadResult {
  Outcome outcome = Outcome::failed;
  std::uint64_t version = 0;  // 0 when the key is absent
};

class Protocol {
 public:
  virtual ~Protocol() = default;

  // `host` is the endpoint's "host:port" for the Host header; `key` is the raw key.
  virtual void format_put(RequestText& out, std::string_view host, std::string_view key,
                          std::string_view value) const = 0;
  virtual void format_get(RequestText& out, std::string_view host, std::string_view key,
                          bool local) const = 0;
  // Writes `value` only if the key's version is still `version` (0: only if absent).
  virtual void format_cas(RequestText& out, std::string_view host, std::string_view key,
                          std::uint64_t version, std::string_view value) const = 0;

  virtual void format_delete(RequestText& out, std::string_view host,
                             std::string_view key) const = 0;

  virtual Outcome put_outcome(const Reply& reply) const = 0;
  // A delete of an absent key is not_found where the system tells, else ok.
  virtual Outcome delete_outcome(const Reply& reply) const = 0;
  virtual ReadResult get_outcome(const Reply& reply) const = 0;
  virtual Outcome cas_outcome(const Reply& reply) const = 0;
};

}  // namespace paxoskv::bench

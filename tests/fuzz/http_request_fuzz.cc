// Fuzz target: the bytes a client sends on one HTTP connection. They are parsed as the
// session parses them (the same parser, header and body limits, pipelined requests one
// after another), each complete request goes through the Router to an in-memory
// backend, and every answer is rendered and serialized, all in-process without sockets.
//
// The first byte is a mode: bit 0 turns authentication on in the Router; bits 1-2 pick
// the token that requests without an Authorization header of their own are given (none,
// the root token, a read token for the prefix "config/", an unknown one).
//
// Beyond memory safety it checks that every request gets exactly one answer (long polls
// get theirs when the backend times them out), and that no answer is a 500.
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string_view>
#include <vector>

#include "http/metrics.h"
#include "http/router.h"
#include "http/server_limits.h"
#include "src/auth/token_secret.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/http/fake_backend.h"

namespace paxoskv::fuzz {
namespace {

namespace beast = boost::beast;
using http::Response;
using http::Router;

// Enough to reach pipelining, few enough to keep one input fast.
constexpr std::size_t kMaxRequestsPerInput = 8;

http::ServerLimits fuzz_limits() {
  http::ServerLimits limits;
  // Small limits, so that inputs of a few KiB reach the refusals too.
  limits.max_header_bytes = 2 * 1024;
  limits.max_value_bytes = 2 * 1024;
  limits.max_key_bytes = 64;
  limits.max_list_limit = 16;
  limits.default_list_limit = 4;
  return limits;
}

constexpr std::string_view kRootToken = "fuzz-root";
constexpr std::string_view kReadToken = "pkv_fuzz-read";

// What the mode byte asks for.
struct Mode {
  bool auth = false;
  std::string_view token;  // empty: none added
};

Mode mode_of(std::uint8_t byte) {
  static constexpr std::array<std::string_view, 4> tokens = {"", kRootToken, kReadToken,
                                                             "pkv_unknown"};
  return Mode{(byte & 1) != 0, tokens[(byte >> 1) & 3]};
}

// One request's answers, delivered by the Router (possibly later, for a long poll).
struct Answers {
  std::vector<Router::Answer> received;
};

// Parses the next request from `rest` as the session would; nullptr once the bytes end
// or a request is refused (the session answers that and closes).
std::unique_ptr<beast::http::request_parser<beast::http::string_body>> next_request(
    std::string_view& rest, const http::ServerLimits& limits) {
  auto parser = std::make_unique<beast::http::request_parser<beast::http::string_body>>();
  parser->header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser->body_limit(limits.max_value_bytes);
  parser->eager(true);
  beast::error_code error;
  while (!parser->is_done()) {
    const std::size_t used = parser->put(boost::asio::buffer(rest.data(), rest.size()), error);
    rest.remove_prefix(used);
    if (error && error != beast::http::error::need_more) return nullptr;
    // The parser is given every byte there is, so wanting more (or making no progress)
    // means the input ends here, as when the client closes the connection. It must not
    // be given the same bytes again after need_more: it asserts that more came.
    if (error == beast::http::error::need_more || used == 0) {
      error = {};
      parser->put_eof(error);
      if (error || !parser->is_done()) return nullptr;
    }
  }
  return parser;
}

std::string serialized(Response response) {
  response.prepare_payload();
  std::ostringstream out;
  out << response;
  return out.str();
}

}  // namespace
}  // namespace paxoskv::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // refusals are logged; the fuzzer's output is its own
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paxoskv;
  using namespace paxoskv::fuzz;
  if (size == 0) return 0;
  const Mode mode = mode_of(data[0]);
  const http::ServerLimits limits = fuzz_limits();
  http::testing::FakeBackend backend;
  backend.add_token("reader", Role::read, "config/", std::string(kReadToken));
  http::HttpMetrics metrics;
  http::AccessControl access;
  if (mode.auth) access.root_token = auth::digest_of(kRootToken);
  Router router(backend, limits, metrics, access);

  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::shared_ptr<Answers>> requests;
  while (requests.size() < kMaxRequestsPerInput && !rest.empty()) {
    auto parser = next_request(rest, limits);
    if (!parser) break;
    auto answers = std::make_shared<Answers>();
    requests.push_back(answers);
    const bool keep_alive = parser->get().keep_alive();
    if (!mode.token.empty() && parser->get()[beast::http::field::authorization].empty()) {
      parser->get().set(beast::http::field::authorization, "Bearer " + std::string(mode.token));
    }
    // Weak: an answer holds its Respond, which must not keep the answer alive in turn.
    router.handle(parser->release(),
                  [weak_answers = std::weak_ptr<Answers>(answers)](Router::Answer answer) {
                    if (auto answers = weak_answers.lock()) {
                      answers->received.push_back(std::move(answer));
                    }
                  });
    if (!keep_alive) break;
  }
  // Long polls still waiting end as their timeout would end them.
  backend.expire_waits();

  for (const auto& answers : requests) {
    check(answers->received.size() == 1, "a request got no answer or more than one");
    Response response = answers->received.front()();
    check(response.result_int() != 500, "a request was answered with an internal error");
    check(!serialized(std::move(response)).empty(), "an answer serializes to nothing");
  }
  check(!metrics.render().empty(), "the metrics render to nothing");
  return 0;
}

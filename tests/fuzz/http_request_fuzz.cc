// Fuzz target: the bytes a client sends on one HTTP connection. They are parsed as the
// session parses them (the same parser, header and body limits, pipelined requests one
// after another), each complete request goes through the Router to an in-memory
// backend, and every answer is rendered and serialized, all in-process without sockets.
//
// The first byte is a mode: bit 0 turns authentication on in the Router; bits 1-3 pick
// the token that requests without an Authorization header of their own are given (none,
// the root token, a read token for the prefix "config/", an unknown one, a readwrite
// token for "app/", a revoked one, one the replica cannot confirm for want of a quorum,
// an admin token).
//
// Beyond memory safety it checks that every request gets exactly one answer (long polls
// get theirs when the backend times them out), and that no answer is a 500. With
// authentication on it checks what the requests did to the backend: no key is written
// but by a token that may write it (under "app/" for the readwrite token), and no token
// or membership changes but by the root or an admin token. The tokens in play are the
// mode's and those whose secret the input itself carries.
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
constexpr std::string_view kReadToken = "pkv_fuzz-read";  // read, under "config/"
constexpr std::string_view kAppToken = "pkv_fuzz-app";    // readwrite, under kAppPrefix
constexpr std::string_view kAppPrefix = "app/";
constexpr std::string_view kRevokedToken = "pkv_fuzz-revoked";          // was admin
constexpr std::string_view kUnconfirmedToken = "pkv_fuzz-unconfirmed";  // admin, no quorum
constexpr std::string_view kAdminToken = "pkv_fuzz-admin";

// What the mode byte asks for.
struct Mode {
  bool auth = false;
  std::string_view token;  // empty: none added
};

Mode mode_of(std::uint8_t byte) {
  static constexpr std::array<std::string_view, 8> tokens = {
      "",        kRootToken,    kReadToken,        "pkv_unknown",
      kAppToken, kRevokedToken, kUnconfirmedToken, kAdminToken};
  return Mode{(byte & 1) != 0, tokens[(byte >> 1) & 7]};
}

// The backend's tokens: those of the modes above, as a replica has them.
void add_tokens(http::testing::FakeBackend& backend) {
  backend.add_token("reader", Role::read, "config/", std::string(kReadToken));
  backend.add_token("app", Role::readwrite, std::string(kAppPrefix), std::string(kAppToken));
  backend.add_token("ops", Role::admin, "", std::string(kAdminToken));
  backend.add_token("gone", Role::admin, "", std::string(kRevokedToken));
  backend.revoke_token("gone", [](const Result& result) {
    check(result.ok(), "the fuzz token could not be revoked");
  });
  // Known from the store, not confirmed: its check fails as without a quorum.
  backend.add_unconfirmed_token("unsure", Role::admin, "", std::string(kUnconfirmedToken));
  backend.set_token_check(Result::failure(Errc::no_quorum));
}

// Which of the tokens that may write are in play.
struct Writers {
  bool everything = false;  // the root or an admin token
  bool app = false;         // the readwrite token
};

Writers writers_of(const Mode& mode, std::string_view input) {
  const auto in_play = [&](std::string_view token) {
    return mode.token == token || input.find(token) != std::string_view::npos;
  };
  return Writers{in_play(kRootToken) || in_play(kAdminToken), in_play(kAppToken)};
}

// Nothing the tokens in play may not do was done.
void check_access(http::testing::FakeBackend& backend, const Writers& writers,
                  std::size_t tokens_before) {
  if (writers.everything) return;
  const ListResult keys = backend.list("", "", 1000);
  for (const auto& entry : keys.items) {
    check(writers.app && std::string_view(entry.key).starts_with(kAppPrefix),
          "a key was written without a token that may write it");
  }
  if (!writers.app) check(backend.index() == 0, "a change was made without a token that may");
  check(backend.tokens().size() == tokens_before, "tokens changed without an admin token");
  check(backend.membership().config_version == 0, "membership changed without an admin token");
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
  add_tokens(backend);
  const std::size_t tokens_before = backend.tokens().size();
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
  if (mode.auth) {
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    check_access(backend, writers_of(mode, input), tokens_before);
  }
  return 0;
}

#include "tools/ctl/lease_holder.h"

#include <algorithm>
#include <thread>

#include "http/api_names.h"
#include "http/client/targets.h"
#include "tools/ctl/answer_check.h"
#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {

using http::client::key_target;
using verb = boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

// "10s", or "1500ms" when not whole seconds.
std::string duration_text(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + "s";
  return std::to_string(duration.count()) + "ms";
}

std::string lease_path(const std::string& id) {
  return std::string(paxoskv::http::lease_path_prefix) + id;
}

bool unavailable(const CtlError& error) {
  return error.code() == ExitCode::unreachable || error.code() == ExitCode::no_quorum;
}

}  // namespace

LeaseHolder::LeaseHolder(Client& client, std::chrono::milliseconds ttl)
    : client_(client), ttl_(ttl) {
  Request grant;
  grant.method = verb::post;
  grant.target = paxoskv::http::leases_path;
  grant.body = dump(Json{{"ttl", duration_text(ttl)}});
  const Clock::time_point sent = Clock::now();
  const Answer answer = client_.send(grant);
  check_answer(answer, "lease", true, client_.endpoint(answer.endpoint).text());
  id_ = json_body(answer).value("id", "");
  if (id_.empty()) throw CtlError(ExitCode::other, "the lease grant's answer names no lease");
  last_sent_ = last_answered_ = sent;
}

LeaseHolder::~LeaseHolder() {
  try {
    release();
  } catch (const CtlError&) {
    // It runs out by itself within its TTL.
  }
}

void LeaseHolder::keep_alive() {
  Request keepalive;
  keepalive.method = verb::post;
  keepalive.target = lease_path(id_) + "/keepalive";
  const Clock::time_point sent = Clock::now();
  last_sent_ = sent;
  try {
    const Answer answer = client_.send(keepalive);
    if (answer.status == 200) {
      last_answered_ = sent;
      return;
    }
    if (answer.status == 404) {
      released_ = true;
      throw CtlError(ExitCode::lost, "lease " + id_ + " expired or was revoked");
    }
    check_answer(answer, "lease " + id_, false, client_.endpoint(answer.endpoint).text());
  } catch (const CtlError& error) {
    if (!unavailable(error)) throw;
    // Try again soon, while it may still be alive.
    if (Clock::now() - last_answered_ >= ttl_) {
      throw CtlError(ExitCode::lost, "lease " + id_ +
                                         " may have run out: no keepalive answered for " +
                                         duration_text(ttl_) + " (" + error.what() + ")");
    }
    last_sent_ = Clock::now() - ttl_ / 3 + std::min<std::chrono::milliseconds>(500ms, ttl_ / 10);
  }
}

void LeaseHolder::release() {
  if (released_) return;
  released_ = true;
  Request revoke;
  revoke.method = verb::delete_;
  revoke.target = lease_path(id_);
  const Answer answer = client_.send(revoke);
  if (answer.status != 404) {
    check_answer(answer, "lease " + id_, true, client_.endpoint(answer.endpoint).text());
  }
}

bool LeaseHolder::holds(const std::string& key) {
  Request info;
  info.target = lease_path(id_);
  const Answer answer = client_.send(info);
  if (answer.status == 404) {
    released_ = true;
    throw CtlError(ExitCode::lost, "lease " + id_ + " expired or was revoked");
  }
  check_answer(answer, "lease " + id_, false, client_.endpoint(answer.endpoint).text());
  for (const Json& held : json_body(answer).value("keys", Json::array())) {
    if (held.is_string() && held.get<std::string>() == key) return true;
  }
  return false;
}

std::uint64_t LeaseHolder::acquire(const std::string& key, const std::string& value) {
  bool maybe_written = false;  // a put whose outcome is unknown went out
  while (true) {
    if (Clock::now() >= keepalive_due()) keep_alive();
    Request put;
    put.method = verb::put;
    put.target = key_target(key, {{"cas", "0"}, {"lease", id_}});
    put.body = value;
    Answer answer;
    try {
      answer = client_.send(put);
    } catch (const CtlError& error) {
      if (!unavailable(error)) throw;
      maybe_written = true;
      std::this_thread::sleep_for(200ms);
      continue;
    }
    const std::string endpoint = client_.endpoint(answer.endpoint).text();
    if (answer.status == 200) return entry_from_json(json_body(answer)).version;
    if (answer.status == 404) {
      released_ = true;
      throw CtlError(ExitCode::lost, "lease " + id_ + " expired or was revoked");
    }
    if (answer.status == 503) {
      std::this_thread::sleep_for(200ms);
      continue;
    }
    if (answer.status != 409) check_answer(answer, key, true, endpoint);
    const std::uint64_t held_version = json_body(answer).value("version", std::uint64_t{0});
    // An earlier put may have been written after all: the lease lists the keys it holds.
    if (maybe_written && holds(key)) return held_version;
    // Held by another: wait until it goes, keeping the lease alive meanwhile.
    Request poll;
    const auto wait = std::max<std::chrono::milliseconds>(
        std::chrono::duration_cast<std::chrono::milliseconds>(keepalive_due() - Clock::now()),
        100ms);
    poll.target =
        key_target(key, {{"wait", std::to_string(held_version)}, {"timeout", duration_text(wait)}});
    poll.extra_time = wait;
    try {
      client_.send(poll);
    } catch (const CtlError& error) {
      if (!unavailable(error)) throw;
      std::this_thread::sleep_for(200ms);
    }
  }
}

}  // namespace paxoskv::ctl

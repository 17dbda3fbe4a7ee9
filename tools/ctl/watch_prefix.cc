// watch --prefix: long polls on a prefix (?wait=INDEX) against one replica at a time.
// Change indexes are per replica, so moving to another one means listing the prefix
// there: the keys newer than what the watch knew are printed, then the polls go on
// from that replica's index.
#include <iostream>
#include <set>
#include <variant>

#include "http/client/targets.h"
#include "tools/ctl/answer_check.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/listing.h"
#include "tools/ctl/prefix_versions.h"
#include "tools/ctl/watch_support.h"

namespace paxoskv::ctl {

using http::client::collection_target;
using http::client::key_target;

namespace {

class PrefixWatch {
 public:
  PrefixWatch(const Invocation& invocation, Client& client, Console& console)
      : invocation_(invocation), client_(client), console_(console), switch_(client, console.err) {}

  [[noreturn]] void run() {
    index_ = list(false);
    if (invocation_.from_index) index_ = *invocation_.from_index;
    while (true) poll();
  }

 private:
  struct Listed {
    Json item;
    Entry entry;
  };

  // Lists the prefix on the current endpoint, or the next one that answers, and makes it
  // the watch's endpoint; returns its index. After a move (`catching_up`) prints what
  // changed meanwhile; at the start only learns the versions.
  std::uint64_t list(bool catching_up) {
    while (true) {
      std::set<std::string> keys;
      std::vector<Listed> newer;
      const Listing listing = list_prefix(
          client_, invocation_.key, std::nullopt, [&](const Json& item, const Entry& entry) {
            keys.insert(entry.key);
            if (!catching_up) {
              versions_.record_listed(entry.key, entry.version, true);
            } else if (versions_.newer_than_known(entry.key, entry.version)) {
              newer.push_back({item, entry});
            }
          });
      // Pages from two replicas are no snapshot of either: list again where it goes on.
      if (!listing.one_endpoint) continue;
      endpoint_ = listing.endpoint;
      switch_.arrived_at(endpoint_);
      if (!catching_up) return listing.index;
      for (const Listed& listed : newer) {
        if (versions_.take_caught_up(listed.entry.key, listed.entry.version, true)) {
          print(listed.item, listed.entry, false, listing.index);
        }
      }
      if (catch_up_deletions(keys, listing.index)) return listing.index;
    }
  }

  // The keys the watch knew present that the new listing lacks: asks for each one's
  // version, to print a deletion it missed. False if the endpoint went away meanwhile.
  bool catch_up_deletions(const std::set<std::string>& listed, std::uint64_t index) {
    for (const std::string& key : versions_.present_keys_missing_from(listed)) {
      Request request;
      request.target = key_target(key, {{"consistency", "local"}});
      auto outcome = client_.send_to(endpoint_, request);
      if (const auto* failure = std::get_if<Failure>(&outcome)) {
        switch_.failed(endpoint_, *failure);
        return false;
      }
      const Answer& answer = std::get<Answer>(outcome);
      if (answer.status == 503) {
        switch_.refused(answer);
        return false;
      }
      if (answer.status != 404) {
        check_answer(answer, key, false, client_.endpoint(endpoint_).text());
      }
      const Json body = json_body(answer);
      const Entry entry = entry_from_json(body);
      const bool present = answer.status != 404;
      if (versions_.take_caught_up(key, entry.version, present)) {
        print(body, entry, !present, index);
      }
    }
    return true;
  }

  void poll() {
    Request request;
    request.target = collection_target({{"prefix", invocation_.key},
                                        {"wait", std::to_string(index_)},
                                        {"timeout", std::string(poll_timeout_text)}});
    request.extra_time = poll_timeout;
    auto outcome = client_.send_to(endpoint_, request);
    if (const auto* failure = std::get_if<Failure>(&outcome)) {
      switch_.failed(endpoint_, *failure);
      index_ = list(true);
      return;
    }
    const Answer& answer = std::get<Answer>(outcome);
    switch_.answered(answer);
    if (answer.status == 503) {  // shutting down, most likely: as good as gone
      switch_.refused(answer);
      index_ = list(true);
      return;
    }
    check_answer(answer, invocation_.key, false, client_.endpoint(endpoint_).text());
    const Json body = json_body(answer);
    if (!body.contains("index") || !body["index"].is_number_unsigned()) {
      throw CtlError(ExitCode::other, "malformed answer: no index");
    }
    const std::uint64_t index = body["index"].get<std::uint64_t>();
    for (const Json& change : body.value("changes", Json::array())) {
      const Entry entry = entry_from_json(change);
      const bool deleted = change.value("deleted", !entry.value.has_value());
      if (versions_.take_change(entry.key, entry.version, !deleted)) {
        print(change, entry, deleted, entry.index.value_or(index));
      }
    }
    index_ = index;
  }

  void print(const Json& object, Entry entry, bool deleted, std::uint64_t index) {
    if (invocation_.output == OutputFormat::json) {
      Json change = change_json(object, deleted);
      change["index"] = index;
      console_.out << dump(change) << '\n';
    } else {
      if (deleted) entry.value.reset();
      console_.out << prefix_change_line(entry, index);
    }
    console_.out.flush();  // a watch is read as it goes
  }

  const Invocation& invocation_;
  Client& client_;
  Console& console_;
  EndpointSwitch switch_;
  PrefixVersions versions_;
  std::size_t endpoint_ = 0;
  std::uint64_t index_ = 0;
};

}  // namespace

ExitCode run_watch_prefix(const Invocation& invocation, Client& client, Console& console) {
  PrefixWatch(invocation, client, console).run();
}

}  // namespace paxoskv::ctl

// Outcomes of the operations of a Node: a small typed set, never exceptions for
// normal outcomes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paxoskv {

// What an operation came to. Each call of Node says which of these it can return.
enum class Errc {
  ok,
  not_found,         // the key is absent; `version` still tells its version
  conflict,          // compare-and-set mismatch; `version` is the current version
  no_quorum,         // no majority within the request timeout: a write may or may not be done
  invalid_argument,  // bad key, value too large, ...
  shutting_down,     // the node is stopping or stopped (or stopped on a disk failure)
  no_space,          // a write refused: the disk of this replica is (almost) full; nothing was done
  removed,           // this replica was removed from the cluster: it serves no more requests
};

// The one table of the error vocabulary: for each Errc its name, the text a client is
// shown (a failed Result's default message, and the "error" of an HTTP answer), and the
// HTTP status that carries it (see the HTTP API).
struct ErrcDescription {
  std::string_view name;
  std::string_view message;
  unsigned http_status;
};

constexpr ErrcDescription describe(Errc code) {
  switch (code) {
    case Errc::ok:
      return {"ok", "ok", 200};
    case Errc::not_found:
      return {"not found", "not found", 404};
    case Errc::conflict:
      return {"conflict", "version mismatch", 409};
    case Errc::no_quorum:
      return {"no quorum", "no quorum", 503};
    case Errc::invalid_argument:
      return {"invalid argument", "invalid argument", 400};
    case Errc::shutting_down:
      return {"shutting down", "shutting down", 503};
    case Errc::no_space:
      return {"no space", "no space", 507};
    case Errc::removed:
      return {"removed", "removed", 410};
  }
  return {"unknown", "internal error", 500};
}

constexpr std::string_view to_string(Errc code) {
  return describe(code).name;
}

// A Result is a value type: it owns its strings, and the node keeps nothing of it once
// the callback or the blocking call got it.
struct Result {
  Errc code = Errc::ok;
  std::uint64_t version = 0;         // the key's version after (or at) the operation
  std::optional<std::string> value;  // for reads: the value, absent when not found
  std::string message;               // human-readable detail for errors

  bool ok() const { return code == Errc::ok; }

  // A failed Result; `message` defaults to the code's text in describe().
  static Result failure(Errc code, std::uint64_t version = 0, std::string message = {}) {
    if (message.empty()) message = describe(code).message;
    return Result{code, version, std::nullopt, std::move(message)};
  }
};

struct Entry {
  std::string key;
  std::string value;
  std::uint64_t version = 0;
};

struct ListResult {
  std::vector<Entry> items;
  bool more = false;        // more keys match after the last item
  std::uint64_t index = 0;  // the replica's change index when listed
};

// One applied change (a put or a delete), as watchers see it.
struct Change {
  std::string key;
  std::optional<std::string> value;  // nullopt: deleted
  std::uint64_t version = 0;
  std::uint64_t index = 0;  // the replica's change index of this change
};

enum class Consistency { linearizable, local };

}  // namespace paxoskv

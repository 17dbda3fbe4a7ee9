// Outcomes of the operations of a Node: a small typed set, never exceptions for
// normal outcomes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paxoskv {

enum class Errc {
  ok,
  not_found,         // the key is absent; `version` still tells its version
  conflict,          // compare-and-set mismatch; `version` is the current version
  no_quorum,         // no majority within the request timeout: a write may or may not be done
  invalid_argument,  // bad key, value too large, ...
  shutting_down,
  no_space,  // a write refused: the disk of this replica is (almost) full; nothing was done
};

std::string_view to_string(Errc code);

struct Result {
  Errc code = Errc::ok;
  std::uint64_t version = 0;         // the key's version after (or at) the operation
  std::optional<std::string> value;  // for reads: the value, absent when not found
  std::string message;               // human-readable detail for errors

  bool ok() const { return code == Errc::ok; }
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

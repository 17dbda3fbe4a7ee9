// The web console at /ui/: its files (http/ui_assets.h) served read-only with the headers a
// browser needs to cache them and to hold the page to them (a strict Content-Security-Policy:
// scripts and styles only from the replica, none inline, no eval). It reads and writes through
// the API like any client, so it needs no token of its own: the API checks the user's.
#pragma once

#include <string_view>

#include "http/message.h"
#include "http/ui_assets.h"

namespace paxoskv::http {

inline constexpr std::string_view console_path = "/ui";
inline constexpr std::string_view console_path_prefix = "/ui/";
// What /ui/ serves.
inline constexpr std::string_view console_index = "index.html";
inline constexpr std::string_view console_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// Whether `path` is the console's: /ui or under /ui/.
inline bool is_console_path(std::string_view path) {
  return path.starts_with(console_path) &&
         (path.size() == console_path.size() || path[console_path.size()] == '/');
}

// The asset named `name`, or nullptr.
const UiAsset* find_ui_asset(std::string_view name);

// The answer to a GET of the console path `path`: /ui redirects to /ui/, /ui/ is the page,
// /ui/<name> a file; 304 when `if_none_match` names its ETag; 404 (JSON, as any API error)
// for a name the console does not have.
Response console_response(std::string_view path, std::string_view if_none_match);

}  // namespace paxoskv::http

// The web console's files (http/ui/), built into the binary by tools/embed_assets.py: constant
// data, nothing done at start-up.
#pragma once

#include <span>
#include <string_view>

namespace paxoskv::http {

struct UiAsset {
  std::string_view name;  // the file's name: served at /ui/<name>
  std::string_view content_type;
  std::string_view etag;  // quoted, a hash of `bytes`
  std::string_view bytes;
};

// Every file of the console (the generated source defines it).
std::span<const UiAsset> ui_assets();

}  // namespace paxoskv::http

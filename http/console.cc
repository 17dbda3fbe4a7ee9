#include "http/console.h"

#include <boost/beast/http/field.hpp>
#include <string>

#include "http/responses.h"

namespace paxoskv::http {

using boost::beast::http::field;
using boost::beast::http::status;

namespace {

// Whether an If-None-Match value ("*", or a list of possibly weak ETags) names `etag`.
bool names_etag(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match.find('*') != std::string_view::npos) return true;
  return if_none_match.find(etag) != std::string_view::npos;
}

// Headers on every answer of the console: the page may load nothing from elsewhere, run
// nothing inline, be framed by no one; the browser must check for a newer copy every time
// (a cheap 304 by ETag), since a replica upgraded in place serves other files.
void add_console_headers(Response& response) {
  response.set("Content-Security-Policy", console_security_policy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set(field::x_frame_options, "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.set(field::cache_control, "no-cache");
}

}  // namespace

const UiAsset* find_ui_asset(std::string_view name) {
  for (const UiAsset& asset : ui_assets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

Response console_response(std::string_view path, std::string_view if_none_match) {
  if (path == console_path) {
    Response redirect{status::moved_permanently, 11};
    redirect.set(field::location, console_path_prefix);
    add_console_headers(redirect);
    return redirect;
  }
  std::string_view name = path.substr(console_path_prefix.size());
  if (name.empty()) name = console_index;
  const UiAsset* asset = find_ui_asset(name);
  if (asset == nullptr) return error_response(status::not_found, "no such console file");
  Response response =
      names_etag(if_none_match, asset->etag)
          ? Response{status::not_modified, 11}
          : text_response(status::ok, asset->content_type, std::string(asset->bytes));
  if (response.result() == status::not_modified) {
    response.set(field::content_type, asset->content_type);
  }
  response.set(field::etag, asset->etag);
  add_console_headers(response);
  return response;
}

}  // namespace paxoskv::http

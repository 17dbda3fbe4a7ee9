#include "http/target.h"

#include <boost/url/parse.hpp>

namespace paxoskv::http {

namespace {

Target split_origin_form(std::string_view target) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return Target{target, {}};
  return Target{target.substr(0, question), target.substr(question + 1)};
}

}  // namespace

std::optional<Target> split_target(std::string_view target) {
  if (target.starts_with('/')) return split_origin_form(target);
  // Absolute form, which HTTP/1.1 servers must accept (proxies send it).
  const auto uri = boost::urls::parse_absolute_uri(target);
  if (!uri) return std::nullopt;
  const auto scheme = uri->scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) {
    return std::nullopt;
  }
  const std::string_view path = uri->encoded_path();
  const std::string_view query = uri->encoded_query();
  if (path.empty()) return Target{"/", query};
  if (!path.starts_with('/')) return std::nullopt;
  return Target{path, query};
}

}  // namespace paxoskv::http

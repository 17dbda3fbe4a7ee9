#include "reply_parser.h"

namespace paxoskv::bench {

void ReplyParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                    error_code&) {
  body_.clear();
  if (content_length) body_.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t ReplyParser::on_body_impl(string_view body, error_code&) {
  body_.append(body.data(), body.size());
  return body.size();
}

std::size_t ReplyParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  body_.append(body.data(), body.size());
  return body.size();
}

}  // namespace paxoskv::bench

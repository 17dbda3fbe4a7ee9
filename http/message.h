// The HTTP messages the front end parses and answers, and the headers it adds.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string_view>

namespace paxoskv::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// On every read: this replica's change index.
inline constexpr std::string_view index_header = "X-Paxoskv-Index";
// On raw reads, where the JSON body would have carried it.
inline constexpr std::string_view version_header = "X-Paxoskv-Version";

}  // namespace paxoskv::http

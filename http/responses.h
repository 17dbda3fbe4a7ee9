// Building the front end's responses: JSON bodies, error bodies, plain text.
#pragma once

#include <string>
#include <string_view>

#include "http/json_render.h"
#include "http/message.h"

namespace paxoskv::http {

Response json_response(boost::beast::http::status status, const Json& body);
// {"error": message}
Response error_response(boost::beast::http::status status, std::string_view message);
Response text_response(boost::beast::http::status status, std::string_view content_type,
                       std::string body);

}  // namespace paxoskv::http

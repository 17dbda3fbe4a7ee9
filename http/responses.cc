#include "http/responses.h"

#include <boost/beast/http/field.hpp>

namespace paxoskv::http {

Response json_response(boost::beast::http::status status, const Json& body) {
  return text_response(status, "application/json", to_text(body));
}

Response error_response(boost::beast::http::status status, std::string_view message) {
  return json_response(status, error_json(message));
}

Response text_response(boost::beast::http::status status, std::string_view content_type,
                       std::string body) {
  Response response{status, 11};
  response.set(boost::beast::http::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

}  // namespace paxoskv::http

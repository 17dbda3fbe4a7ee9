// A request the front end refuses before it reaches the replica: thrown while the request
// is parsed, answered with `status` and `{"error": what()}`.
#pragma once

#include <boost/beast/http/status.hpp>
#include <stdexcept>
#include <string>

namespace paxoskv::http {

class RequestError : public std::runtime_error {
 public:
  RequestError(boost::beast::http::status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}

  boost::beast::http::status status() const { return status_; }

 private:
  boost::beast::http::status status_;
};

}  // namespace paxoskv::http

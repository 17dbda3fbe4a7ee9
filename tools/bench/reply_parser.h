// An HTTP response parser that keeps only what the benchmark judges: the status and the
// body, appended into a string the connection reuses. Beast's stock parser builds a
// header container per response (an allocation per field); this one allocates nothing
// once the body string has grown to size.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <string>

namespace paxoskv::bench {

class ReplyParser final : public boost::beast::http::basic_parser<false> {
 public:
  // `body` receives the body; it is cleared when the body starts.
  explicit ReplyParser(std::string& body) : body_(body) {}

  unsigned status() const { return status_; }

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override {
    status_ = static_cast<unsigned>(code);
  }
  void on_field_impl(boost::beast::http::field, string_view, string_view, error_code&) override {}
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code&) override;
  std::size_t on_body_impl(string_view body, error_code&) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override;
  void on_finish_impl(error_code&) override {}

  std::string& body_;
  unsigned status_ = 0;
};

}  // namespace paxoskv::bench

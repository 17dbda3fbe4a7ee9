// How the paxoskv program writes its log lines (--log-format): as text, or as one JSON
// object a line for a log collector.
#pragma once

#include <spdlog/formatter.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace paxoskv {

enum class LogFormat {
  kText,  // 2026-12-07T23:20:03.123Z info [1] message
  kJson,  // {"ts":"2026-12-07T23:20:03.123Z","level":"info","replica":1,"msg":"message"}
};

// "text" or "json"; nullopt for anything else.
std::optional<LogFormat> parse_log_format(std::string_view text);

// Appends `text` to `out` as the inside of a JSON string: quotes, backslashes and control
// characters escaped, and each byte that is not part of valid UTF-8 replaced by U+FFFD, so
// that whatever a message holds the result is valid JSON on one line.
void append_json_string_body(std::string_view text, std::string& out);

// A log event as one line holding one JSON object: its time (UTC, milliseconds), level,
// the replica's id and the message.
class JsonLogFormatter : public spdlog::formatter {
 public:
  explicit JsonLogFormatter(std::uint32_t replica) : replica_(replica) {}
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  std::uint32_t replica_;
};

// The formatter of `format` for replica `replica`'s log lines, the time in UTC.
std::unique_ptr<spdlog::formatter> log_formatter(LogFormat format, std::uint32_t replica);

}  // namespace paxoskv

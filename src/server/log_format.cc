#include "src/server/log_format.h"

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>

#include <array>
#include <chrono>
#include <ctime>
#include <iterator>

namespace paxoskv {

namespace {

// The length of the valid UTF-8 sequence at the start of `text` (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 if it does not start with one.
std::size_t utf8_sequence_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto continuation = [&](std::size_t i, unsigned char low = 0x80,
                                unsigned char high = 0xBF) {
    return i < text.size() && byte(i) >= low && byte(i) <= high;
  };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;   // not overlong
    const unsigned char high = lead == 0xED ? 0x9F : 0xBF;  // not a surrogate
    return continuation(1, low, high) && continuation(2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;   // not overlong
    const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;  // at most U+10FFFF
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

// spdlog's level names, as --log-level takes them.
std::string_view level_name(spdlog::level::level_enum level) {
  static constexpr std::array<std::string_view, 7> names = {"trace", "debug",    "info", "warning",
                                                            "error", "critical", "off"};
  const auto index = static_cast<std::size_t>(level);
  return index < names.size() ? names[index] : "unknown";
}

// 2026-12-07T23:20:03.123Z
void append_utc_time(spdlog::log_clock::time_point time, std::string& out) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time - seconds).count();
  const std::time_t whole = spdlog::log_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&whole, &utc);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                 utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                 utc.tm_sec, millis);
}

}  // namespace

std::optional<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return std::nullopt;
}

void append_json_string_body(std::string_view text, std::string& out) {
  while (!text.empty()) {
    const unsigned char c = static_cast<unsigned char>(text.front());
    std::size_t length = 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else if (c < 0x80) {
          out += static_cast<char>(c);
        } else if (length = utf8_sequence_length(text); length > 0) {
          out.append(text.substr(0, length));
        } else {
          out += "\\ufffd";
          length = 1;
        }
    }
    text.remove_prefix(length);
  }
}

void JsonLogFormatter::format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& dest) {
  std::string line = R"({"ts":")";
  append_utc_time(message.time, line);
  line += R"(","level":")";
  line += level_name(message.level);
  line += R"(","replica":)";
  line += std::to_string(replica_);
  line += R"(,"msg":")";
  append_json_string_body(std::string_view(message.payload.data(), message.payload.size()), line);
  line += "\"}\n";
  dest.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>(replica_);
}

std::unique_ptr<spdlog::formatter> log_formatter(LogFormat format, std::uint32_t replica) {
  if (format == LogFormat::kJson) return std::make_unique<JsonLogFormatter>(replica);
  // UTC, with the zone, whatever the machine's local time: lines of replicas on several
  // machines sort together.
  return std::make_unique<spdlog::pattern_formatter>(
      "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [" + std::to_string(replica) + "] %v",
      spdlog::pattern_time_type::utc);
}

}  // namespace paxoskv

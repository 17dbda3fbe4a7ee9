// --log-format json: every log event is one line holding one JSON object, whatever its
// message holds.
#include "src/server/log_format.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace paxoskv {
namespace {

// 2026-12-07T23:20:03.123Z
const spdlog::log_clock::time_point kTime =
    spdlog::log_clock::time_point(std::chrono::seconds(1796685603)) +
    std::chrono::milliseconds(123);

std::string format_json(std::string_view message,
                        spdlog::level::level_enum level = spdlog::level::info,
                        std::uint32_t replica = 7) {
  const spdlog::details::log_msg event(kTime, spdlog::source_loc{}, "", level,
                                       spdlog::string_view_t(message.data(), message.size()));
  spdlog::memory_buf_t buffer;
  JsonLogFormatter(replica).format(event, buffer);
  return std::string(buffer.data(), buffer.size());
}

// The line's object, after checking that it is one line.
nlohmann::json parse_line(const std::string& line) {
  REQUIRE(!line.empty());
  CHECK(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  CHECK(line.find('\r') == std::string::npos);
  return nlohmann::json::parse(line);  // throws on anything but valid JSON (and UTF-8)
}

}  // namespace

TEST_CASE("log format: text and json, nothing else", "[server][log]") {
  CHECK(parse_log_format("text") == LogFormat::kText);
  CHECK(parse_log_format("json") == LogFormat::kJson);
  CHECK_FALSE(parse_log_format("JSON"));
  CHECK_FALSE(parse_log_format(""));
  CHECK_FALSE(parse_log_format("logfmt"));
}

TEST_CASE("log format: a json line has the time, level, replica and message", "[server][log]") {
  const std::string line = format_json("replica 7 serving clients on http://127.0.0.1:8001");
  CHECK(line == R"({"ts":"2026-12-07T23:20:03.123Z","level":"info","replica":7,)"
                R"("msg":"replica 7 serving clients on http://127.0.0.1:8001"})"
                "\n");
  const nlohmann::json object = parse_line(line);
  CHECK(object.size() == 4);
  CHECK(object["ts"] == "2026-12-07T23:20:03.123Z");
  CHECK(object["replica"] == 7);
  CHECK(parse_line(format_json("x", spdlog::level::warn))["level"] == "warning");
  CHECK(parse_line(format_json("x", spdlog::level::err))["level"] == "error");
  CHECK(parse_line(format_json("x", spdlog::level::critical))["level"] == "critical");
  CHECK(parse_line(format_json("x", spdlog::level::debug, 4294967295u))["replica"] == 4294967295u);
}

TEST_CASE("log format: quotes, backslashes and control characters are escaped", "[server][log]") {
  const std::string message =
      "key \"a\\b\" said:\nline two\r\tend\b\f\x01\x1f\x7f and } {\"level\":\"forged\"}";
  const std::string line = format_json(message);
  INFO(line);
  const nlohmann::json object = parse_line(line);
  CHECK(object.size() == 4);
  CHECK(object["msg"] == message);
  CHECK(object["level"] == "info");
  CHECK(line.find(R"(\u0001)") != std::string::npos);
  CHECK(line.find(R"(\u007f)") != std::string::npos);
  // A NUL inside the message too.
  const std::string with_nul("before\0after", 12);
  CHECK(parse_line(format_json(with_nul))["msg"] == with_nul);
}

TEST_CASE("log format: valid UTF-8 is kept, invalid bytes become U+FFFD", "[server][log]") {
  const std::string valid = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf";
  CHECK(parse_line(format_json(valid))["msg"] == valid);

  const std::string replacement = "\xef\xbf\xbd";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\xff", replacement},                                      // never in UTF-8
      {"a\x80z", "a" + replacement + "z"},                        // a lone continuation byte
      {"\xc3", replacement},                                      // cut short at the end
      {"\xe2\x82z", replacement + replacement + "z"},             // cut short before ASCII
      {"\xc0\xaf", replacement + replacement},                    // overlong '/'
      {"\xe0\x80\xaf", replacement + replacement + replacement},  // overlong, three bytes
      {"\xed\xa0\x80", replacement + replacement + replacement},  // a UTF-16 surrogate
      {"\xf4\x90\x80\x80", replacement + replacement + replacement + replacement},  // > U+10FFFF
  };
  for (const auto& [bytes, decoded] : cases) {
    INFO(format_json(bytes));
    CHECK(parse_line(format_json(bytes))["msg"] == decoded);
  }
}

TEST_CASE("log format: any bytes at all make one parseable line", "[server][log]") {
  std::mt19937 random(20261207);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 64);
  for (int round = 0; round < 20000; ++round) {
    std::string message(static_cast<std::size_t>(length(random)), '\0');
    for (char& c : message) c = static_cast<char>(byte(random));
    const std::string line = format_json(message);
    INFO(round);
    REQUIRE(line.find('\n') == line.size() - 1);
    REQUIRE_NOTHROW(nlohmann::json::parse(line));
  }
}

TEST_CASE("log format: a logger writes one json line per event", "[server][log]") {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  spdlog::logger logger("test", sink);
  logger.set_formatter(log_formatter(LogFormat::kJson, 3));
  logger.set_level(spdlog::level::debug);
  logger.info("first {}", "\"quoted\"");
  logger.warn("second\nwith a newline");
  logger.debug("third {}", 3);
  std::istringstream lines(out.str());
  std::vector<nlohmann::json> objects;
  for (std::string line; std::getline(lines, line);) objects.push_back(nlohmann::json::parse(line));
  REQUIRE(objects.size() == 3);
  CHECK(objects[0]["msg"] == "first \"quoted\"");
  CHECK(objects[1]["msg"] == "second\nwith a newline");
  CHECK(objects[1]["level"] == "warning");
  CHECK(objects[2]["msg"] == "third 3");
  for (const auto& object : objects) {
    CHECK(object["replica"] == 3);
    CHECK(object["ts"].get<std::string>().ends_with("Z"));
    CHECK(object["ts"].get<std::string>().size() == 24);
  }
}

TEST_CASE("log format: text is today's line, in UTC", "[server][log]") {
  const spdlog::details::log_msg event(kTime, spdlog::source_loc{}, "", spdlog::level::info,
                                       "hello");
  spdlog::memory_buf_t buffer;
  log_formatter(LogFormat::kText, 2)->format(event, buffer);
  CHECK(std::string(buffer.data(), buffer.size()) == "2026-12-07T23:20:03.123Z info [2] hello\n");
}

}  // namespace paxoskv

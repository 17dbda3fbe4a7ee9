#include "tests/e2e/read_back.h"

#include <memory>

#include "tests/e2e/recording_client.h"

namespace paxoskv::e2e {

std::vector<std::string> lost_writes(const std::map<std::string, std::string>& acknowledged,
                                     const std::vector<std::uint16_t>& ports,
                                     check::HistoryRecorder& recorder) {
  std::vector<std::string> lost;
  std::vector<std::unique_ptr<RecordingClient>> readers;
  for (const std::uint16_t port : ports) {
    readers.push_back(std::make_unique<RecordingClient>(1000, port, recorder));
  }
  std::size_t next = 0;
  for (const auto& [key, value] : acknowledged) {
    const KvReply reply = readers[next++ % readers.size()]->get(key);
    if (reply.status != 200 || reply.value != value) {
      lost.push_back(key + " (acknowledged \"" + value + "\"): " + reply.describe());
    }
  }
  return lost;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

}  // namespace paxoskv::e2e

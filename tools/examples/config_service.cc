// An example service that embeds a paxoskv replica as its configuration store.
//
// It joins a cluster as one of its replicas, reads its settings (keys under
// "service/") at start, and reacts when one changes: set one with paxoskvctl or curl on
// any other replica and this service prints the new value at once.
//
//   config_service --id 3 --data-dir /tmp/svc --cluster 1=127.0.0.1:9001,2=...,3=...
//                  [--exit-after-changes N]
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "paxoskv/node.h"

namespace {

constexpr const char* kSettingsPrefix = "service/";

struct Settings {
  paxoskv::Options options;
  long exit_after_changes = -1;  // run until a signal
};

std::map<std::uint32_t, std::string> parse_cluster(const std::string& text) {
  std::map<std::uint32_t, std::string> cluster;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string member = text.substr(start, comma - start);
    const std::size_t equals = member.find('=');
    if (equals == std::string::npos) throw std::invalid_argument("--cluster: ID=HOST:PORT,...");
    cluster[static_cast<std::uint32_t>(std::stoul(member.substr(0, equals)))] =
        member.substr(equals + 1);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return cluster;
}

Settings parse(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--id") {
      settings.options.id = static_cast<std::uint32_t>(std::stoul(value));
    } else if (flag == "--data-dir") {
      settings.options.data_dir = value;
    } else if (flag == "--cluster") {
      settings.options.cluster = parse_cluster(value);
    } else if (flag == "--exit-after-changes") {
      settings.exit_after_changes = std::stol(value);
    } else {
      throw std::invalid_argument("unknown flag " + flag);
    }
  }
  return settings;
}

// The signal handler only flips this flag; main waits on it.
std::atomic<bool> stop_requested{false};
extern "C" void on_signal(int) {
  stop_requested = true;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  try {
    settings = parse(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "config_service: " << error.what() << "\n";
    return 2;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  paxoskv::Node node(settings.options);

  // Read the settings at start: a local listing gives them and the change index to
  // watch from, so no change between the two is missed.
  const paxoskv::ListResult current = node.list(kSettingsPrefix);
  for (const paxoskv::Entry& entry : current.items) {
    std::cout << "setting " << entry.key << " = " << entry.value << " (version " << entry.version
              << ")" << std::endl;
  }
  std::cout << "ready: " << current.items.size() << " settings, watching " << kSettingsPrefix
            << " from index " << current.index << std::endl;

  std::mutex mutex;
  std::condition_variable changed;
  long changes_seen = 0;
  auto watch =
      node.watch_prefix(kSettingsPrefix, current.index, [&](const paxoskv::Change& change) {
        if (change.value) {
          std::cout << "setting " << change.key << " changed to " << *change.value << " (version "
                    << change.version << ")" << std::endl;
        } else {
          std::cout << "setting " << change.key << " removed (version " << change.version << ")"
                    << std::endl;
        }
        std::lock_guard lock(mutex);
        ++changes_seen;
        changed.notify_all();
      });

  std::unique_lock lock(mutex);
  while (!stop_requested &&
         (settings.exit_after_changes < 0 || changes_seen < settings.exit_after_changes)) {
    changed.wait_for(lock, std::chrono::milliseconds(100));
  }
  lock.unlock();
  watch.reset();  // no callback runs after this
  std::cout << "stopping after " << changes_seen << " changes" << std::endl;
  return 0;
}

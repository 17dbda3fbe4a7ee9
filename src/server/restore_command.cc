#include "src/server/restore_command.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>
#include <stdexcept>

#include "paxoskv/snapshot.h"
#include "paxoskv/snapshot_format.h"
#include "src/server/command_line.h"

namespace paxoskv {

namespace {

constexpr std::string_view kRestoreUsage =
    "usage: paxoskv restore --snapshot FILE --data-dir DIR --id N --cluster ID=HOST:PORT,... "
    "[--cluster-name NAME]\n"
    "Makes DIR, which must not exist or be empty, the data dir of replica N of a new cluster,\n"
    "holding the keys of FILE (saved by `paxoskvctl snapshot save`). Restore every member\n"
    "from the same file, then start each with the same --id, --cluster and --data-dir.\n";

}  // namespace

int run_restore(const std::vector<std::string>& args) {
  std::string snapshot_file;
  std::vector<std::string> server_args;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kRestoreUsage;
      return 0;
    }
    if (args[i] == "--snapshot") {
      if (i + 1 == args.size()) {
        std::cerr << "paxoskv restore: --snapshot needs a FILE\n\n" << kRestoreUsage;
        return 2;
      }
      snapshot_file = args[++i];
    } else if (args[i].starts_with("--snapshot=")) {
      snapshot_file = args[i].substr(std::string_view("--snapshot=").size());
    } else {
      server_args.push_back(args[i]);
    }
  }
  if (snapshot_file.empty()) {
    std::cerr << "paxoskv restore: --snapshot FILE is required\n\n" << kRestoreUsage;
    return 2;
  }
  CommandLine line;
  try {
    line = parse_command_line(server_args);
  } catch (const std::invalid_argument& error) {
    std::cerr << "paxoskv restore: " << error.what() << "\n\n" << kRestoreUsage;
    return 2;
  }
  const Options& options = line.options;
  try {
    const auto started = std::chrono::steady_clock::now();
    const RestoreSummary summary = restore_snapshot(snapshot_file, options);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    std::cout << "restored " << summary.restored << " keys from " << snapshot_file << " into "
              << options.data_dir << " for replica " << options.id << " (" << summary.records
              << " records in the file, " << elapsed.count() << " ms)\n";
    return 0;
  } catch (const snapshot::FormatError& error) {
    std::cerr << "paxoskv restore: refusing " << snapshot_file << ": " << error.what()
              << "; nothing written\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "paxoskv restore: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace paxoskv

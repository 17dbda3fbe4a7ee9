#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "consensus/configuration.h"
#include "kvstore/store.h"
#include "paxoskv/snapshot.h"
#include "paxoskv/snapshot_format.h"
#include "src/cluster_identity.h"

namespace paxoskv {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kReadBytes = 1 << 20;
constexpr std::size_t kRecordsPerBatch = 1000;

// Feeds the whole of `file` to `parser`, then checks that it was complete and intact.
std::uint64_t parse_file(const std::string& file, snapshot::Parser& parser) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open snapshot file " + file);
  std::string buffer(kReadBytes, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    parser.feed(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) throw std::runtime_error("cannot read snapshot file " + file);
  return parser.finish();
}

void refuse_used_directory(const std::string& data_dir) {
  std::error_code error;
  if (!fs::exists(data_dir, error)) return;
  if (!fs::is_directory(data_dir) || !fs::is_empty(data_dir)) {
    throw std::runtime_error("data dir " + data_dir +
                             " exists and is not empty: restore makes a new one");
  }
}

void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) throw std::runtime_error("cannot open directory " + dir.string() + " to sync it");
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) throw std::runtime_error("cannot sync directory " + dir.string());
}

// Writes the records of `file` into a new store in `dir`.
std::uint64_t write_store(const std::string& file, const std::string& dir,
                          const kvstore::StoreIdentity& identity) {
  kvstore::Store store(dir, identity);
  std::vector<consensus::PersistRecord> batch;
  std::uint64_t restored = 0;
  auto write_batch = [&](bool sync) {
    store.write(batch, sync);
    batch.clear();
  };
  snapshot::Parser parser([&](snapshot::Record record) {
    if (record.key == consensus::kConfigKey) return;
    consensus::PersistRecord persist;
    persist.key = std::move(record.key);
    persist.acceptor = consensus::AcceptorRecord{};
    persist.applied =
        consensus::AppliedRecord{record.version, std::move(record.value), {}, record.lease};
    persist.change_index = ++restored;
    batch.push_back(std::move(persist));
    if (batch.size() == kRecordsPerBatch) write_batch(false);
  });
  parse_file(file, parser);
  // Synced: every earlier write is durable with it (see Store::write).
  write_batch(true);
  if (store.index() != restored) {
    throw std::logic_error("restore: change index " + std::to_string(store.index()) +
                           " after restoring " + std::to_string(restored) + " keys");
  }
  return restored;
}

}  // namespace

RestoreSummary restore_snapshot(const std::string& file, const Options& options) {
  const std::string& data_dir = options.data_dir;
  const kvstore::StoreIdentity identity{options.id, cluster_fingerprint(options)};
  RestoreSummary summary;
  {
    snapshot::Parser verifier([](const snapshot::Record&) {});
    summary.records = parse_file(file, verifier);
  }
  refuse_used_directory(data_dir);
  const fs::path target = fs::absolute(fs::path(data_dir).lexically_normal());
  const fs::path building = target.string() + ".restoring";
  if (fs::exists(building)) {
    throw std::runtime_error(building.string() +
                             " exists: an earlier restore was interrupted; remove it first");
  }
  try {
    // Read again: the store is written only from a file that verified, and its checksum
    // is checked again at the end in case the file changed meanwhile.
    summary.restored = write_store(file, building.string(), identity);
    sync_directory(building);
    if (fs::exists(target)) fs::remove(target);  // empty: checked above
    fs::rename(building, target);
    sync_directory(target.parent_path());
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(building, ignored);
    throw;
  }
  return summary;
}

}  // namespace paxoskv

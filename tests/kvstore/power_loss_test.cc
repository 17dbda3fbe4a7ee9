// What a store keeps when the machine loses power: at most a suffix of its unsynced
// writes goes, log switches and compactions included.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kvstore/store.h"
#include "tests/kvstore/power_loss_env.h"
#include "tests/kvstore/temp_dir.h"

namespace paxoskv::kvstore {
namespace {

using consensus::AcceptedProposal;
using consensus::AcceptorRecord;
using consensus::AppliedRecord;
using consensus::Ballot;
using consensus::KeyRecord;
using consensus::KeyValue;
using consensus::OpId;
using consensus::PersistRecord;
using consensus::Slot;
using consensus::Version;
using consensus::WriterMarks;
using testing::PowerLossEnv;
using testing::TempDir;

const StoreIdentity kIdentity{2, "cluster-fingerprint-power"};
// LevelDB's smallest memtable: a new log file every 64 KiB written.
constexpr std::size_t kSmallWriteBuffer = 64 << 10;

std::size_t log_file_count(const std::string& data_dir) {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir)) {
    if (entry.path().extension() == ".log") ++count;
  }
  return count;
}

PersistRecord acceptance(std::string key, Ballot ballot, Slot slot, std::string value) {
  AcceptedProposal proposal{slot, ballot, std::move(value), OpId{ballot.node, slot}};
  return PersistRecord{std::move(key), AcceptorRecord{ballot, std::move(proposal), {}, 0},
                       std::nullopt};
}

TEST_CASE("a power loss after a log switch keeps the unsynced apply a later acceptance follows",
          "[kvstore][power]") {
  // The store half of a scenario that chose two values for one slot: the unsynced apply
  // of slot 1 (which drops the acceptance of slot 1) is in the old log file, the synced
  // acceptance of slot 2 in the new one, and the power goes before the old memtable is
  // flushed.
  TempDir dir;
  PowerLossEnv env;
  env.hold_background_work();
  const Ballot first{1, 1};
  const Ballot second{2, 3};
  std::uint64_t index = 1;
  {
    Store store(dir.data_dir(), kIdentity, StoreOptions{&env, kSmallWriteBuffer});
    store.write({acceptance("k", first, 1, "x")}, /*sync=*/true);
    store.write({PersistRecord{"k", AcceptorRecord{first, std::nullopt, {}, 0},
                               AppliedRecord{1, "x", WriterMarks{{1, 1, 1}}}, 1, 0, true}},
                /*sync=*/false);
    while (log_file_count(dir.data_dir()) < 2 && index < 1000) {
      const std::string other = "other-" + std::to_string(index);
      store.write(
          {PersistRecord{other, AcceptorRecord{}, AppliedRecord{1, std::string(1000, 'o'), {}},
                         index + 1, 0, false}},
          /*sync=*/false);
      ++index;
    }
    store.write({acceptance("k", second, 2, "y")}, /*sync=*/true);
    env.power_off();
  }
  REQUIRE(index < 1000);  // the log was switched
  env.restore_durable_state();

  Store reopened(dir.data_dir(), kIdentity);
  const KeyRecord record = reopened.load("k");
  REQUIRE(record.acceptor.accepted.has_value());
  CHECK(record.acceptor.accepted->slot == 2);
  CHECK(record.acceptor.accepted->value == KeyValue("y"));
  // Slot 1 is known chosen here: applied, since its acceptance is gone.
  CHECK(record.applied.version == 1);
  CHECK(record.applied.value == KeyValue("x"));
}

// One batch of a write sequence, as the consensus core asks for them.
struct Batch {
  std::vector<PersistRecord> records;
  bool sync = false;
};

// A deterministic sequence of batches over a few keys, written as the core writes: synced
// batches of acceptances and applies, unsynced ones of applies alone; applies put large
// values or delete, and take the next places in the change log.
std::vector<Batch> make_workload(std::size_t batch_count, std::size_t key_count) {
  struct KeyModel {
    Version version = 0;
    std::uint64_t change_index = 0;
    bool acceptor_apart = false;
    Ballot promised;
  };
  std::mt19937 random(20261207);
  auto chance = [&](unsigned in) { return random() % in == 0; };
  std::vector<KeyModel> keys(key_count);
  std::uint64_t change_index = 0;
  std::vector<Batch> batches;
  for (std::size_t b = 0; b < batch_count; ++b) {
    Batch batch;
    batch.sync = chance(3);
    const std::size_t first_key = random() % key_count;
    const std::size_t records = 1 + random() % 4;
    for (std::size_t r = 0; r < records; ++r) {
      const std::size_t k = (first_key + r * 7) % key_count;
      KeyModel& key = keys[k];
      const std::string name = "key-" + std::to_string(k);
      const std::string value(2400 + random() % 800, static_cast<char>('a' + (b + r) % 26));
      if (batch.sync && chance(2)) {
        key.promised =
            Ballot{key.promised.round + 1, static_cast<consensus::NodeId>(1 + random() % 3)};
        batch.records.push_back(acceptance(name, key.promised, key.version + 1, value));
        key.acceptor_apart = true;
        continue;
      }
      const KeyValue applied_value = chance(5) ? KeyValue() : KeyValue(value);
      ++key.version;
      PersistRecord record{
          name,
          AcceptorRecord{key.promised, std::nullopt, {}, 0},
          AppliedRecord{key.version, applied_value, WriterMarks{{1, b, key.version}}},
          ++change_index,
          key.change_index,
          key.acceptor_apart};
      key.change_index = change_index;
      key.acceptor_apart = false;
      batch.records.push_back(std::move(record));
    }
    batches.push_back(std::move(batch));
  }
  return batches;
}

// What a reader of the store can see: every key's record and the change log.
struct LogicalState {
  std::uint64_t index = 0;
  std::vector<KeyRecord> keys;
  std::vector<std::pair<std::string, AppliedState>> changes;

  friend bool operator==(const LogicalState&, const LogicalState&) = default;
};

LogicalState logical_state(const Store& store, std::size_t key_count) {
  LogicalState state;
  state.index = store.index();
  for (std::size_t k = 0; k < key_count; ++k) {
    state.keys.push_back(store.load("key-" + std::to_string(k)));
  }
  for (Change& change : store.changes_after(0, 1'000'000).changes) {
    state.changes.emplace_back(std::move(change.key), std::move(change.state));
  }
  return state;
}

// LevelDB's background work (memtable flushes, compactions) is held while a log switch
// is recent and runs this many batches after it: power losses land between a switch and
// the flush of the old memtable, and the memtable cannot fill again meanwhile.
constexpr std::size_t kBatchesBeforeFlush = 4;

// Runs the held background work of a store at the same points in every run, so that all
// runs of one sequence take the same path through log switches and flushes.
class FlushSchedule {
 public:
  FlushSchedule(PowerLossEnv& env, std::string data_dir)
      : env_(env), data_dir_(std::move(data_dir)) {}

  void after_write() {
    if (log_file_count(data_dir_) < 2) return;  // no memtable waits for its flush
    if (++since_switch_ == kBatchesBeforeFlush) {
      const std::set<std::string> before = table_files();
      env_.run_held_background_work();
      const std::set<std::string> after = table_files();
      // A flush only adds a table; a compaction that merges tables removes its inputs.
      if (!std::includes(after.begin(), after.end(), before.begin(), before.end())) {
        ++compactions_;
      }
      ++flushes_;
      since_switch_ = 0;
    }
  }

  std::size_t flushes() const { return flushes_; }
  std::size_t compactions() const { return compactions_; }

 private:
  std::set<std::string> table_files() const {
    std::set<std::string> tables;
    for (const auto& entry : std::filesystem::directory_iterator(data_dir_)) {
      if (entry.path().extension() == ".ldb") tables.insert(entry.path().filename().string());
    }
    return tables;
  }

  PowerLossEnv& env_;
  std::string data_dir_;
  std::size_t since_switch_ = 0;
  std::size_t flushes_ = 0;
  std::size_t compactions_ = 0;
};

// A directory for a store whose durability only the power loss environment models: in
// memory when the system has a memory file system, so syncs cost nothing.
TempDir scratch_dir() {
  const std::filesystem::path memory("/dev/shm");
  std::error_code error;
  return std::filesystem::is_directory(memory, error) ? TempDir(memory) : TempDir();
}

TEST_CASE("a power loss at any point of a write sequence loses at most unsynced writes at its end",
          "[kvstore][power]") {
  constexpr std::size_t kBatches = 90;
  constexpr std::size_t kKeys = 24;
  const std::vector<Batch> batches = make_workload(kBatches, kKeys);

  // The state after each prefix of the sequence: expected[j] after j batches.
  std::vector<LogicalState> expected;
  {
    TempDir dir = scratch_dir();
    PowerLossEnv env;
    env.hold_background_work();
    {
      Store store(dir.data_dir(), kIdentity, StoreOptions{&env, kSmallWriteBuffer});
      FlushSchedule flushes(env, dir.data_dir());
      expected.push_back(logical_state(store, kKeys));
      for (const Batch& batch : batches) {
        store.write(batch.records, batch.sync);
        flushes.after_write();
        expected.push_back(logical_state(store, kKeys));
      }
      env.run_held_background_work();  // or the store waits for it when closed
      // The sequence switches log files often, and compacts tables.
      CHECK(flushes.flushes() >= 5);
      CHECK(flushes.compactions() >= 1);
    }
  }

  std::size_t points_that_lost_writes = 0;
  std::size_t durable_prefix = 0;  // batches up to the last synced one
  for (std::size_t written = 0; written <= kBatches; ++written) {
    if (written > 0 && batches[written - 1].sync) durable_prefix = written;
    TempDir dir = scratch_dir();
    PowerLossEnv env;
    env.hold_background_work();
    {
      Store store(dir.data_dir(), kIdentity, StoreOptions{&env, kSmallWriteBuffer});
      FlushSchedule flushes(env, dir.data_dir());
      for (std::size_t b = 0; b < written; ++b) {
        store.write(batches[b].records, batches[b].sync);
        flushes.after_write();
      }
      env.power_off();
    }
    env.restore_durable_state();
    const Store reopened(dir.data_dir(), kIdentity);
    const LogicalState recovered = logical_state(reopened, kKeys);

    std::optional<std::size_t> matching_prefix;
    for (std::size_t prefix = durable_prefix; prefix <= written && !matching_prefix; ++prefix) {
      if (recovered == expected[prefix]) matching_prefix = prefix;
    }
    INFO("power lost after " << written << " batches, the last synced one ending at "
                             << durable_prefix);
    REQUIRE(matching_prefix.has_value());
    if (*matching_prefix < written) ++points_that_lost_writes;
  }
  // The losses the model allows do happen: unsynced writes at the end go.
  CHECK(points_that_lost_writes > 0);
}

}  // namespace
}  // namespace paxoskv::kvstore

#include "kvstore/store.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "consensus/cluster_name.h"
#include "consensus/configuration.h"
#include "kvstore/byte_io.h"
#include "kvstore/key_layout.h"
#include "kvstore/record_codec.h"
#include "kvstore/synced_log_switch_env.h"

namespace paxoskv::kvstore {

namespace {

constexpr int kBloomFilterBitsPerKey = 10;
constexpr std::size_t kWriteBufferBytes = 8 << 20;
constexpr std::size_t kBlockCacheBytes = 4 << 20;

std::string describe(const StoreIdentity& identity) {
  return "replica " + std::to_string(identity.replica_id) + " of cluster '" +
         layout::printable(identity.cluster_fingerprint) + "'";
}

// Decodes a stored value; a failure names the record and becomes a runtime_error.
template <typename Decode>
auto decode_stored(const std::string& data_dir, std::string_view db_key, std::string_view value,
                   Decode&& decode) {
  try {
    return decode(value);
  } catch (const RecordFormatError& error) {
    throw std::runtime_error("paxoskv store: corrupt record '" + layout::printable(db_key) +
                             "' in data dir " + data_dir + ": " + error.what());
  }
}

[[noreturn]] void throw_read_error(const std::string& data_dir, const leveldb::Status& status) {
  throw std::runtime_error("paxoskv store: read from data dir " + data_dir +
                           " failed: " + status.ToString());
}

// A consistent view of the DB for the duration of one multi-key read.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(leveldb::DB& db) : db_(db), snapshot_(db.GetSnapshot()) {}
  ~ReadSnapshot() { db_.ReleaseSnapshot(snapshot_); }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

  leveldb::ReadOptions options() const {
    leveldb::ReadOptions options;
    options.verify_checksums = true;
    options.snapshot = snapshot_;
    return options;
  }

 private:
  leveldb::DB& db_;
  const leveldb::Snapshot* snapshot_;
};

std::string_view view(const leveldb::Slice& bytes) {
  return {bytes.data(), bytes.size()};
}

leveldb::Slice slice(std::string_view bytes) {
  return {bytes.data(), bytes.size()};
}

leveldb::ReadOptions latest_read_options() {
  leveldb::ReadOptions options;
  options.verify_checksums = true;
  return options;
}

std::optional<std::string> get(leveldb::DB& db, const std::string& data_dir,
                               const leveldb::ReadOptions& options, std::string_view db_key) {
  std::string value;
  const leveldb::Status status = db.Get(options, slice(db_key), &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) throw_read_error(data_dir, status);
  return value;
}

std::unique_ptr<leveldb::Iterator> new_iterator(leveldb::DB& db,
                                                const leveldb::ReadOptions& options) {
  return std::unique_ptr<leveldb::Iterator>(db.NewIterator(options));
}

bool is_decimal(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The names LevelDB gives its files (see leveldb's filename.cc).
bool is_leveldb_file_name(std::string_view name) {
  if (name == "CURRENT" || name == "LOCK" || name == "LOG" || name == "LOG.old") return true;
  if (name.starts_with("MANIFEST-")) return is_decimal(name.substr(9));
  const auto dot = name.find('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view suffix = name.substr(dot);
  return is_decimal(name.substr(0, dot)) &&
         (suffix == ".log" || suffix == ".ldb" || suffix == ".sst" || suffix == ".dbtmp");
}

// LevelDB would create a new database in any directory without a CURRENT file. Refuse
// one that holds anything else than LevelDB's own files: a mistyped --data-dir must not
// turn someone's directory into a store.
void refuse_foreign_directory(const std::filesystem::path& dir) {
  if (std::filesystem::exists(dir / "CURRENT")) return;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!is_leveldb_file_name(name)) {
      throw std::runtime_error("paxoskv store: data dir " + dir.string() +
                               " is not empty and holds no paxoskv store (found '" +
                               layout::printable(name) + "')");
    }
  }
}

}  // namespace

Store::Store(const std::string& data_dir, const StoreIdentity& identity,
             const StoreOptions& options)
    : data_dir_(data_dir) {
  open(options);
  initialize_or_verify(identity);
  begin_incarnation();
  spdlog::info("paxoskv store: opened {} as {}, change index {}, incarnation {}", data_dir_,
               describe(identity), index(), incarnation_);
}

Store::~Store() {
  if (db_) {
    db_.reset();
    spdlog::info("paxoskv store: closed {}", data_dir_);
  }
}

void Store::open(const StoreOptions& store_options) {
  const std::filesystem::path dir(data_dir_);
  try {
    std::filesystem::create_directories(dir);
    refuse_foreign_directory(dir);
  } catch (const std::filesystem::filesystem_error& error) {
    throw std::runtime_error("paxoskv store: cannot use data dir " + data_dir_ + ": " +
                             error.what());
  }

  filter_policy_.reset(leveldb::NewBloomFilterPolicy(kBloomFilterBitsPerKey));
  leveldb::Options options;
  options.create_if_missing = true;
  // Report any inconsistency LevelDB detects instead of skipping over it; a torn tail of
  // the write-ahead log (a crash mid-write) is not one, that write was never acknowledged.
  options.paranoid_checks = true;
  options.filter_policy = filter_policy_.get();
  // The memtable's size sets how often LevelDB compacts. Writes to random keys of a large
  // store make every level-0 table span the whole key range, so each level-0 compaction
  // (four tables) rewrites all of level 1: a larger memtable does that less often for the
  // same writes. Over 1,000,000 keys (tools/bench-many-keys) LevelDB compacted 2.3-3.5 GB
  // for 100 MB flushed with a 2 MiB memtable, 0.7-1.1 GB with 8 MiB, 0.36-0.61 GB with
  // 16 MiB. Memory sets the limit: up to two memtables (one being flushed) are resident,
  // besides the table files LevelDB maps (64-83 MiB resident with 2 MiB, 78-111 MiB with
  // 8 MiB, 92-111 MiB with 16 MiB). A restart replays at most one memtable's worth of log.
  // The block cache stays small: a replica's hot state is in the consensus core's key
  // cache, and a 16 MiB cache cost memory without a measurable gain.
  options.write_buffer_size =
      store_options.write_buffer_bytes != 0 ? store_options.write_buffer_bytes : kWriteBufferBytes;
  block_cache_.reset(leveldb::NewLRUCache(kBlockCacheBytes));
  options.block_cache = block_cache_.get();
  // Every write goes through an environment that syncs a log file before LevelDB leaves it
  // for a new one: without it a power loss can keep a synced write while losing unsynced
  // writes made before it (see SyncedLogSwitchEnv).
  env_ = std::make_unique<SyncedLogSwitchEnv>(
      store_options.env != nullptr ? store_options.env : leveldb::Env::Default());
  options.env = env_.get();

  leveldb::DB* opened = nullptr;
  const leveldb::Status status = leveldb::DB::Open(options, data_dir_, &opened);
  db_.reset(opened);
  if (!status.ok()) {
    throw std::runtime_error("paxoskv store: cannot open data dir " + data_dir_ + ": " +
                             status.ToString());
  }
}

void Store::begin_incarnation() {
  const auto stored = get(*db_, data_dir_, latest_read_options(), layout::kIncarnationKey);
  const std::uint64_t previous =
      stored ? decode_stored(data_dir_, layout::kIncarnationKey, *stored, codec::decode_counter)
             : 0;
  leveldb::WriteOptions write_options;
  write_options.sync = true;
  const leveldb::Status status =
      db_->Put(write_options, slice(layout::kIncarnationKey), codec::encode_counter(previous + 1));
  if (!status.ok()) {
    throw std::runtime_error("paxoskv store: cannot write to data dir " + data_dir_ + ": " +
                             status.ToString());
  }
  incarnation_ = previous + 1;
}

void Store::initialize_or_verify(const StoreIdentity& identity) {
  const auto read_options = latest_read_options();
  const auto meta = get(*db_, data_dir_, read_options, layout::kMetaKey);
  if (!meta) {
    if (has_any_record()) {
      throw std::runtime_error("paxoskv store: data dir " + data_dir_ +
                               " holds records but no identity record: not a paxoskv store, "
                               "or a corrupt one");
    }
    leveldb::WriteBatch batch;
    batch.Put(slice(layout::kMetaKey), codec::encode_identity(identity));
    batch.Put(slice(layout::kChangeIndexKey), codec::encode_counter(0));
    // Only its presence counts.
    batch.Put(slice(layout::kFoundingCheckKey), codec::encode_counter(0));
    leveldb::WriteOptions write_options;
    write_options.sync = true;
    const leveldb::Status status = db_->Write(write_options, &batch);
    if (!status.ok()) {
      throw std::runtime_error("paxoskv store: cannot initialize data dir " + data_dir_ + ": " +
                               status.ToString());
    }
    spdlog::info("paxoskv store: created a new store in {}", data_dir_);
    index_.store(0, std::memory_order_release);
    founding_check_pending_.store(true, std::memory_order_release);
    return;
  }

  const StoreIdentity stored =
      decode_stored(data_dir_, layout::kMetaKey, *meta, codec::decode_identity);
  // The cluster's name, not its member ids: those change with the membership.
  if (stored.replica_id != identity.replica_id ||
      consensus::cluster_name_of(stored.cluster_fingerprint) !=
          consensus::cluster_name_of(identity.cluster_fingerprint)) {
    throw std::runtime_error("paxoskv store: data dir " + data_dir_ + " belongs to " +
                             describe(stored) + ", not " + describe(identity));
  }

  const auto stored_index = get(*db_, data_dir_, read_options, layout::kChangeIndexKey);
  if (!stored_index) {
    throw std::runtime_error("paxoskv store: data dir " + data_dir_ +
                             " has no change index record: corrupt store");
  }
  index_.store(
      decode_stored(data_dir_, layout::kChangeIndexKey, *stored_index, codec::decode_counter),
      std::memory_order_release);
  founding_check_pending_.store(
      get(*db_, data_dir_, read_options, layout::kFoundingCheckKey).has_value(),
      std::memory_order_release);
  verify_change_log_tail();
}

// The change log's last entry must not be beyond the change index: both are written in
// the same batch. Costs one seek, so open stays O(1).
void Store::verify_change_log_tail() const {
  auto iterator = new_iterator(*db_, latest_read_options());
  iterator->Seek(std::string(1, layout::kChangeLogPrefix + 1));
  if (iterator->Valid()) {
    iterator->Prev();
  } else {
    iterator->SeekToLast();
  }
  if (!iterator->status().ok()) throw_read_error(data_dir_, iterator->status());
  if (!iterator->Valid()) return;
  const std::string_view db_key = view(iterator->key());
  if (db_key.empty() || db_key.front() != layout::kChangeLogPrefix) return;
  const auto last = layout::index_of_change_log_key(db_key);
  if (!last || *last > index()) {
    throw std::runtime_error("paxoskv store: data dir " + data_dir_ + " has change log entry '" +
                             layout::printable(db_key) + "' beyond its change index " +
                             std::to_string(index()) + ": corrupt store");
  }
}

bool Store::has_any_record() const {
  auto iterator = new_iterator(*db_, latest_read_options());
  iterator->SeekToFirst();
  if (!iterator->status().ok()) throw_read_error(data_dir_, iterator->status());
  return iterator->Valid();
}

consensus::KeyRecord Store::load(std::string_view key) const {
  const ReadSnapshot snapshot(*db_);
  const auto read_options = snapshot.options();
  consensus::KeyRecord record;

  const std::string applied_key = layout::applied_key(key);
  if (const auto value = get(*db_, data_dir_, read_options, applied_key)) {
    StoredState stored = decode_stored(data_dir_, applied_key, *value, codec::decode_state);
    record.applied = stored.applied.record();
    record.change_index = stored.applied.change_index;
    record.acceptor = std::move(stored.acceptor);
  }
  // One of its own is newer than what the applied state record holds.
  const std::string acceptor_key = layout::acceptor_key(key);
  if (const auto value = get(*db_, data_dir_, read_options, acceptor_key)) {
    record.acceptor = decode_stored(data_dir_, acceptor_key, *value, codec::decode_acceptor);
    record.acceptor_apart = true;
  }
  return record;
}

std::optional<AppliedState> Store::applied(std::string_view key) const {
  const std::string applied_key = layout::applied_key(key);
  const auto value = get(*db_, data_dir_, latest_read_options(), applied_key);
  if (!value) return std::nullopt;
  return decode_stored(data_dir_, applied_key, *value, codec::decode_applied);
}

std::uint64_t Store::write(const std::vector<consensus::PersistRecord>& records, bool sync,
                           const std::vector<SyncCursor>& cursors) {
  if (records.empty() && cursors.empty()) return index();
  const std::lock_guard lock(write_mutex_);
  if (write_failed_.load()) {
    throw std::runtime_error("paxoskv store: refusing to write to " + data_dir_ +
                             " after an earlier write failure");
  }

  const std::uint64_t first_index = index();
  std::uint64_t next_index = first_index;
  leveldb::WriteBatch batch;

  for (const consensus::PersistRecord& record : records) {
    if (!record.applied) {
      if (record.acceptor) {
        batch.Put(layout::acceptor_key(record.key), codec::encode_acceptor(*record.acceptor));
      }
      continue;
    }
    if (!record.acceptor || record.change_index != next_index + 1) {
      throw std::logic_error("paxoskv store: applied state of '" + layout::printable(record.key) +
                             "' without its acceptor record or out of change-log order");
    }
    next_index = record.change_index;
    if (record.replaces_change_index != 0) {
      batch.Delete(layout::change_log_key(record.replaces_change_index));
    }
    batch.Put(layout::change_log_key(next_index), codec::encode_change_log_entry(record.key));
    const AppliedState state{record.applied->version, record.applied->value,
                             record.applied->writers, next_index, record.applied->lease};
    batch.Put(layout::applied_key(record.key), codec::encode_state(state, *record.acceptor));
    // The applied state record now holds the promise; an accepted proposal stays apart.
    if (record.acceptor->accepted) {
      batch.Put(layout::acceptor_key(record.key), codec::encode_acceptor(*record.acceptor));
    } else if (record.acceptor_apart) {
      batch.Delete(layout::acceptor_key(record.key));
    }
  }
  if (next_index != first_index) {
    batch.Put(slice(layout::kChangeIndexKey), codec::encode_counter(next_index));
  }
  for (const SyncCursor& cursor : cursors) {
    batch.Put(layout::sync_cursor_key(cursor.peer), codec::encode_sync_cursor(cursor));
  }

  leveldb::WriteOptions write_options;
  write_options.sync = sync;
  const auto started = std::chrono::steady_clock::now();
  const leveldb::Status status = db_->Write(write_options, &batch);
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);

  if (!status.ok()) fail_write(status, std::to_string(records.size()) + " records");

  counters_.batches.fetch_add(1, std::memory_order_relaxed);
  if (sync) {
    counters_.synced_batches.fetch_add(1, std::memory_order_relaxed);
    counters_.sync_latency.observe(elapsed);
  }
  counters_.records.fetch_add(records.size(), std::memory_order_relaxed);
  counters_.applied_records.fetch_add(next_index - first_index, std::memory_order_relaxed);
  counters_.bytes.fetch_add(batch.ApproximateSize(), std::memory_order_relaxed);
  counters_.sync_micros.fetch_add(static_cast<std::uint64_t>(elapsed.count()),
                                  std::memory_order_relaxed);
  index_.store(next_index, std::memory_order_release);
  return next_index;
}

template <typename PeerOf, typename Visit>
void Store::for_each_peer_record(char prefix, PeerOf peer_of, std::string_view what,
                                 Visit visit) const {
  auto iterator = new_iterator(*db_, latest_read_options());
  const std::string start(1, prefix);
  for (iterator->Seek(start); iterator->Valid(); iterator->Next()) {
    const std::string_view db_key = view(iterator->key());
    if (!db_key.starts_with(start)) break;
    const auto peer = peer_of(db_key);
    if (!peer) {
      throw std::runtime_error("paxoskv store: malformed " + std::string(what) + " key '" +
                               layout::printable(db_key) + "' in data dir " + data_dir_);
    }
    visit(*peer, db_key, view(iterator->value()));
  }
  if (!iterator->status().ok()) throw_read_error(data_dir_, iterator->status());
}

std::vector<SyncCursor> Store::sync_cursors() const {
  std::vector<SyncCursor> cursors;
  for_each_peer_record(
      layout::kSyncCursorPrefix, layout::peer_of_sync_cursor_key, "sync cursor",
      [&](consensus::NodeId peer, std::string_view db_key, std::string_view value) {
        SyncCursor cursor = decode_stored(data_dir_, db_key, value, codec::decode_sync_cursor);
        cursor.peer = peer;
        cursors.push_back(cursor);
      });
  return cursors;
}

void Store::pass_founding_check() {
  leveldb::WriteBatch batch;
  batch.Delete(slice(layout::kFoundingCheckKey));
  write_synced(batch, "the founding check");
  founding_check_pending_.store(false, std::memory_order_release);
}

std::vector<consensus::NodeId> Store::known_peers() const {
  std::vector<consensus::NodeId> peers;
  for_each_peer_record(
      layout::kKnownPeerPrefix, layout::peer_of_known_peer_key, "known peer",
      [&](consensus::NodeId peer, std::string_view, std::string_view) { peers.push_back(peer); });
  return peers;
}

void Store::remember_peer(consensus::NodeId peer) {
  leveldb::WriteBatch batch;
  // The value, the incarnation it was first heard in, is for a reader of the data dir.
  batch.Put(layout::known_peer_key(peer), codec::encode_counter(incarnation_));
  write_synced(batch, "known peer " + std::to_string(peer));
}

void Store::write_synced(leveldb::WriteBatch& batch, std::string_view what) {
  const std::lock_guard lock(write_mutex_);
  if (write_failed_.load()) {
    throw std::runtime_error("paxoskv store: refusing to write to " + data_dir_ +
                             " after an earlier write failure");
  }
  leveldb::WriteOptions write_options;
  write_options.sync = true;
  const leveldb::Status status = db_->Write(write_options, &batch);
  if (!status.ok()) fail_write(status, std::string(what));
}

void Store::fail_write(const leveldb::Status& status, const std::string& what) {
  const std::string text = status.ToString();
  // LevelDB words an I/O error with strerror: ENOSPC reads "No space left on device".
  out_of_space_.store(text.find(std::strerror(ENOSPC)) != std::string::npos &&
                      !env_->sync_failed());
  write_failed_.store(true);
  counters_.failures.fetch_add(1, std::memory_order_relaxed);
  spdlog::error("paxoskv store: write of {} to {} failed: {}", what, data_dir_, text);
  throw std::runtime_error("paxoskv store: write to " + data_dir_ + " failed: " + text);
}

ListPage Store::list(std::string_view prefix, std::string_view after, std::size_t limit) const {
  return list_applied(prefix, after, limit, false);
}

ListPage Store::list_reserved(std::string_view prefix, std::string_view after,
                              std::size_t limit) const {
  return list_applied(prefix, after, limit, true);
}

ListPage Store::list_applied(std::string_view prefix, std::string_view after, std::size_t limit,
                             bool reserved) const {
  const ReadSnapshot snapshot(*db_);
  const auto read_options = snapshot.options();
  ListPage page;
  if (const auto stored = get(*db_, data_dir_, read_options, layout::kChangeIndexKey)) {
    page.index = decode_stored(data_dir_, layout::kChangeIndexKey, *stored, codec::decode_counter);
  }

  const std::string db_prefix = layout::applied_key(prefix);
  // Start at the first key strictly greater than `after` (its successor is after + NUL),
  // unless that lies before the prefix.
  std::string start = db_prefix;
  if (!after.empty()) {
    std::string after_successor = layout::applied_key(after);
    after_successor.push_back('\0');
    start = std::max(start, after_successor);
  }

  auto iterator = new_iterator(*db_, read_options);
  for (iterator->Seek(start); iterator->Valid(); iterator->Next()) {
    const std::string_view db_key = view(iterator->key());
    if (!db_key.starts_with(db_prefix)) break;
    const std::string_view user_key = *layout::user_key_of_applied(db_key);
    // The core's own keys and the clients' are listed apart.
    if (consensus::is_reserved_key(user_key) != reserved) continue;
    AppliedState state =
        decode_stored(data_dir_, db_key, view(iterator->value()), codec::decode_applied);
    if (!state.present()) continue;
    if (page.items.size() == limit) {
      page.more = true;
      break;
    }
    page.items.push_back(ListItem{std::string(user_key), std::move(*state.value), state.version,
                                  state.change_index, state.lease});
  }
  if (!iterator->status().ok()) throw_read_error(data_dir_, iterator->status());
  return page;
}

HeldKeysPage Store::held_keys(std::string_view after, std::size_t limit) const {
  const ReadSnapshot snapshot(*db_);
  const auto read_options = snapshot.options();
  // The acceptor records and the applied states are two sorted ranges of user keys:
  // merged, each key once.
  struct Range {
    std::unique_ptr<leveldb::Iterator> iterator;
    char prefix;
    std::optional<std::string_view> (*user_key)(std::string_view);

    std::optional<std::string_view> current() const {
      if (!iterator->Valid()) return std::nullopt;
      return user_key(view(iterator->key()));
    }
  };
  std::array<Range, 2> ranges{
      Range{new_iterator(*db_, read_options), layout::kAcceptorPrefix,
            &layout::user_key_of_acceptor},
      Range{new_iterator(*db_, read_options), layout::kAppliedPrefix, &layout::user_key_of_applied},
  };
  for (Range& range : ranges) {
    std::string start(1, range.prefix);
    if (!after.empty()) {
      start.append(after);
      start.push_back('\0');  // the successor of `after`
    }
    range.iterator->Seek(start);
  }
  HeldKeysPage page;
  while (true) {
    std::optional<std::string_view> next;
    for (const Range& range : ranges) {
      const auto key = range.current();
      if (key && (!next || *key < *next)) next = key;
    }
    if (!next) break;
    if (page.keys.size() == limit) {
      page.more = true;
      break;
    }
    page.keys.emplace_back(*next);
    const std::string taken = page.keys.back();
    for (Range& range : ranges) {
      if (range.current() == std::optional<std::string_view>(taken)) range.iterator->Next();
    }
  }
  for (const Range& range : ranges) {
    if (!range.iterator->status().ok()) throw_read_error(data_dir_, range.iterator->status());
  }
  return page;
}

ChangesPage Store::changes_after(std::uint64_t after_index, std::size_t limit,
                                 std::string_view prefix) const {
  const ReadSnapshot snapshot(*db_);
  const auto read_options = snapshot.options();
  ChangesPage page;
  std::uint64_t snapshot_index = 0;
  if (const auto stored = get(*db_, data_dir_, read_options, layout::kChangeIndexKey)) {
    snapshot_index =
        decode_stored(data_dir_, layout::kChangeIndexKey, *stored, codec::decode_counter);
  }
  page.next_index = snapshot_index;
  if (after_index >= snapshot_index) return page;

  auto iterator = new_iterator(*db_, read_options);
  for (iterator->Seek(layout::change_log_key(after_index + 1)); iterator->Valid();
       iterator->Next()) {
    const std::string_view log_key = view(iterator->key());
    if (log_key.empty() || log_key.front() != layout::kChangeLogPrefix) break;
    const auto change_index = layout::index_of_change_log_key(log_key);
    if (!change_index) {
      throw std::runtime_error("paxoskv store: malformed change log key '" +
                               layout::printable(log_key) + "' in data dir " + data_dir_);
    }
    std::string key =
        decode_stored(data_dir_, log_key, view(iterator->value()), codec::decode_change_log_entry);
    if (!key.starts_with(prefix)) continue;
    if (page.changes.size() == limit) {
      page.more = true;
      // Resume after the last change returned (or, with limit 0, where we started).
      page.next_index = page.changes.empty() ? after_index : page.changes.back().state.change_index;
      break;
    }

    const std::string applied_key = layout::applied_key(key);
    const auto stored = get(*db_, data_dir_, read_options, applied_key);
    AppliedState state;
    if (stored) state = decode_stored(data_dir_, applied_key, *stored, codec::decode_applied);
    // Both are written in one batch and read from one snapshot: they must agree.
    if (!stored || state.change_index != *change_index) {
      throw std::runtime_error("paxoskv store: change log entry " + std::to_string(*change_index) +
                               " for key '" + layout::printable(key) +
                               "' does not match the key's applied state in data dir " + data_dir_);
    }
    page.changes.push_back(Change{std::move(key), std::move(state)});
  }
  if (!iterator->status().ok()) throw_read_error(data_dir_, iterator->status());
  return page;
}

namespace {

class LevelDbAppliedScan final : public Store::AppliedScan {
 public:
  LevelDbAppliedScan(leveldb::DB& db, std::string data_dir)
      : snapshot_(db), data_dir_(std::move(data_dir)) {
    const auto read_options = snapshot_.options();
    if (const auto stored = get(db, data_dir_, read_options, layout::kChangeIndexKey)) {
      index_ = decode_stored(data_dir_, layout::kChangeIndexKey, *stored, codec::decode_counter);
    }
    iterator_ = new_iterator(db, read_options);
    iterator_->Seek(std::string(1, layout::kAppliedPrefix));
  }

  std::vector<std::pair<std::string, AppliedState>> next(std::size_t limit) override {
    std::vector<std::pair<std::string, AppliedState>> page;
    for (; iterator_->Valid() && page.size() < limit; iterator_->Next()) {
      const std::string_view db_key = view(iterator_->key());
      const auto user_key = layout::user_key_of_applied(db_key);
      if (!user_key) break;  // past the applied states
      page.emplace_back(
          std::string(*user_key),
          decode_stored(data_dir_, db_key, view(iterator_->value()), codec::decode_applied));
    }
    if (!iterator_->status().ok()) throw_read_error(data_dir_, iterator_->status());
    return page;
  }

  std::uint64_t index() const override { return index_; }

 private:
  ReadSnapshot snapshot_;  // before iterator_: released after it
  std::string data_dir_;
  std::uint64_t index_ = 0;
  std::unique_ptr<leveldb::Iterator> iterator_;
};

}  // namespace

std::unique_ptr<Store::AppliedScan> Store::scan_applied() const {
  return std::make_unique<LevelDbAppliedScan>(*db_, data_dir_);
}

WriteCounters Store::counters() const {
  return WriteCounters{
      counters_.batches.load(std::memory_order_relaxed),
      counters_.synced_batches.load(std::memory_order_relaxed),
      counters_.records.load(std::memory_order_relaxed),
      counters_.applied_records.load(std::memory_order_relaxed),
      counters_.bytes.load(std::memory_order_relaxed),
      counters_.sync_micros.load(std::memory_order_relaxed),
      counters_.failures.load(std::memory_order_relaxed),
      counters_.sync_latency.counts(),
  };
}

}  // namespace paxoskv::kvstore

#include "kvstore/store.h"

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kvstore/byte_io.h"
#include "kvstore/key_layout.h"
#include "kvstore/record_codec.h"
#include "tests/kvstore/fault_env.h"
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
using consensus::Version;
using consensus::WriterMarks;
using testing::TempDir;

const StoreIdentity kIdentity{1, "cluster-fingerprint-a"};

PersistRecord applied(std::string key, Version version, KeyValue value) {
  return PersistRecord{
      std::move(key), std::nullopt,
      AppliedRecord{version, std::move(value), WriterMarks{{1, version, version}}}};
}

PersistRecord promised(std::string key, Ballot ballot) {
  return PersistRecord{std::move(key), AcceptorRecord{ballot, std::nullopt, {}, 0}, std::nullopt};
}

// Writes `records` as the consensus core asks for them (see consensus::PersistRecord): an
// applied state comes with the key's acceptor record (the stored one, if the test gives
// none) and takes the next place in the change log, replacing the key's previous one.
std::uint64_t write(Store& store, std::vector<PersistRecord> records, bool sync = true,
                    const std::vector<SyncCursor>& cursors = {}) {
  std::uint64_t last = store.index();
  std::map<std::string, KeyRecord> current;
  for (PersistRecord& record : records) {
    auto [it, loaded] = current.try_emplace(record.key);
    if (loaded) it->second = store.load(record.key);
    KeyRecord& key = it->second;
    if (record.applied) {
      if (!record.acceptor) record.acceptor = key.acceptor;
      record.change_index = ++last;
      record.replaces_change_index = std::exchange(key.change_index, record.change_index);
      record.acceptor_apart = key.acceptor_apart;
      key.acceptor_apart = record.acceptor->accepted.has_value();
    } else if (record.acceptor) {
      key.acceptor_apart = true;
    }
    if (record.acceptor) key.acceptor = *record.acceptor;
  }
  return store.write(records, sync, cursors);
}

// The raw records under one kind's prefix ('a', 's', 'c'...).
std::size_t raw_count(const std::string& dir, char kind) {
  leveldb::Options options;
  leveldb::DB* opened = nullptr;
  REQUIRE(leveldb::DB::Open(options, dir, &opened).ok());
  std::unique_ptr<leveldb::DB> db(opened);
  std::unique_ptr<leveldb::Iterator> iterator(db->NewIterator(leveldb::ReadOptions{}));
  std::size_t count = 0;
  const std::string prefix(1, kind);
  for (iterator->Seek(prefix); iterator->Valid() && iterator->key().starts_with(prefix);
       iterator->Next()) {
    ++count;
  }
  return count;
}

// The acceptor and applied state, whatever the store's bookkeeping.
bool same_state(const KeyRecord& a, const KeyRecord& b) {
  return a.acceptor == b.acceptor && a.applied == b.applied;
}

std::vector<std::string> keys_of(const ChangesPage& page) {
  std::vector<std::string> keys;
  for (const Change& change : page.changes) keys.push_back(change.key);
  return keys;
}

std::vector<std::string> keys_of(const ListPage& page) {
  std::vector<std::string> keys;
  for (const ListItem& item : page.items) keys.push_back(item.key);
  return keys;
}

std::unique_ptr<leveldb::DB> open_raw(const std::string& dir) {
  leveldb::Options options;
  options.create_if_missing = true;
  leveldb::DB* db = nullptr;
  const leveldb::Status status = leveldb::DB::Open(options, dir, &db);
  REQUIRE(status.ok());
  return std::unique_ptr<leveldb::DB>(db);
}

void put_raw(const std::string& dir, const std::string& db_key, const std::string& value) {
  auto db = open_raw(dir);
  REQUIRE(db->Put(leveldb::WriteOptions{}, db_key, value).ok());
}

TEST_CASE("records survive close and reopen", "[kvstore]") {
  TempDir temp;
  const std::string binary("\0bin\0ary\xff", 9);
  const std::string large(1 << 20, 'x');
  const KeyRecord promise_only{AcceptorRecord{Ballot{3, 2}, std::nullopt, {}, 0}, AppliedRecord{}};
  const KeyRecord accepted_present{
      AcceptorRecord{Ballot{4, 1}, AcceptedProposal{2, Ballot{4, 1}, binary, OpId{3, 3}},
                     Ballot{4, 1}, 2},
      AppliedRecord{1, "first", WriterMarks{{1, 1, 1}}}};
  const KeyRecord accepted_absent{
      AcceptorRecord{
          Ballot{5, 3}, AcceptedProposal{8, Ballot{5, 3}, std::nullopt, OpId{3, 5}}, {}, 0},
      AppliedRecord{7, std::nullopt, WriterMarks{{2, 4, 7}}}};
  const KeyRecord large_value{AcceptorRecord{}, AppliedRecord{1, large, WriterMarks{{2, 1, 1}}}};
  const std::string binary_key("key\0with\0nul", 12);
  const KeyRecord binary_applied{AcceptorRecord{},
                                 AppliedRecord{2, binary, WriterMarks{{2, 2, 2}, {3, 1, 1}}}};

  const auto persist = [](const std::string& key, const KeyRecord& record) {
    return PersistRecord{key, record.acceptor, record.applied};
  };
  {
    Store store(temp.data_dir(), kIdentity);
    write(store, {PersistRecord{"promise-only", promise_only.acceptor, std::nullopt}});
    write(store, {persist("accepted-present", accepted_present),
                  persist("accepted-absent", accepted_absent)});
    write(store, {persist("large", large_value), persist(binary_key, binary_applied)});
  }
  Store store(temp.data_dir(), kIdentity);
  CHECK(store.load("promise-only").acceptor == promise_only.acceptor);
  CHECK(store.load("promise-only").applied == AppliedRecord{});
  CHECK(same_state(store.load("accepted-present"), accepted_present));
  CHECK(same_state(store.load("accepted-absent"), accepted_absent));
  CHECK(same_state(store.load("large"), large_value));
  CHECK(same_state(store.load(binary_key), binary_applied));
  CHECK(store.load(binary_key).change_index == 4);
  CHECK(store.load(std::string("key\0with", 8)) == KeyRecord{});
  CHECK(store.load("never-written") == KeyRecord{});
  CHECK_FALSE(store.applied("never-written").has_value());
  CHECK(store.index() == 4);
}

TEST_CASE("the incarnation grows at every open", "[kvstore]") {
  TempDir temp;
  std::uint64_t first = 0;
  {
    Store store(temp.data_dir(), kIdentity);
    first = store.incarnation();
    CHECK(first == 1);
  }
  {
    Store store(temp.data_dir(), kIdentity);
    CHECK(store.incarnation() == first + 1);
  }
  Store store(temp.data_dir(), kIdentity);
  CHECK(store.incarnation() == first + 2);
}

TEST_CASE("sync cursors are written with a batch and survive reopen", "[kvstore]") {
  TempDir temp;
  {
    Store store(temp.data_dir(), kIdentity);
    CHECK(store.sync_cursors().empty());
    write(store, {applied("k", 1, "v")}, false, {SyncCursor{2, 40, 11}, SyncCursor{3, 7, 12}});
    // A later cursor of the same peer wins, also within one batch; a cursor alone is a write.
    write(store, {}, false, {SyncCursor{3, 8, 12}, SyncCursor{3, 0, 13}});
    CHECK(store.index() == 1);
  }
  Store store(temp.data_dir(), kIdentity);
  CHECK(store.sync_cursors() == std::vector<SyncCursor>{{2, 40, 11}, {3, 0, 13}});
  CHECK(store.load("k").applied.version == 1);
}

TEST_CASE("a sync cursor of format 2 reads with epoch 0", "[kvstore]") {
  TempDir temp;
  { Store store(temp.data_dir(), kIdentity); }
  {
    auto db = open_raw(temp.data_dir());
    // What an earlier version wrote: the index alone.
    REQUIRE(db->Put(leveldb::WriteOptions{}, layout::sync_cursor_key(2), codec::encode_counter(40))
                .ok());
  }
  Store store(temp.data_dir(), kIdentity);
  CHECK(store.sync_cursors() == std::vector<SyncCursor>{{2, 40, 0}});
}

TEST_CASE("a new store's founding check stays pending until passed", "[kvstore]") {
  TempDir temp;
  {
    Store store(temp.data_dir(), kIdentity);
    CHECK(store.founding_check_pending());
  }
  {
    Store store(temp.data_dir(), kIdentity);
    CHECK(store.founding_check_pending());  // a restart does not pass it
    store.pass_founding_check();
    CHECK_FALSE(store.founding_check_pending());
  }
  Store store(temp.data_dir(), kIdentity);
  CHECK_FALSE(store.founding_check_pending());
}

TEST_CASE("a store of an earlier version has passed the founding check", "[kvstore]") {
  TempDir temp;
  { Store store(temp.data_dir(), kIdentity); }
  {
    auto db = open_raw(temp.data_dir());
    REQUIRE(db->Delete(leveldb::WriteOptions{}, std::string(layout::kFoundingCheckKey)).ok());
  }
  Store store(temp.data_dir(), kIdentity);
  CHECK_FALSE(store.founding_check_pending());
}

TEST_CASE("known peers are remembered across reopen", "[kvstore]") {
  TempDir temp;
  {
    Store store(temp.data_dir(), kIdentity);
    CHECK(store.known_peers().empty());
    store.remember_peer(3);
    store.remember_peer(2);
    store.remember_peer(3);
    write(store, {applied("k", 1, "v")}, true, {SyncCursor{2, 1, 1}});
  }
  Store store(temp.data_dir(), kIdentity);
  CHECK(store.known_peers() == std::vector<consensus::NodeId>{2, 3});
  CHECK(store.sync_cursors() == std::vector<SyncCursor>{{2, 1, 1}});
}

TEST_CASE("an applied state takes the promise along: one record per key between writes",
          "[kvstore]") {
  TempDir temp;
  const AcceptorRecord promise{Ballot{3, 2}, std::nullopt, Ballot{2, 2}, 1, 7};
  const AcceptorRecord acceptance{Ballot{3, 2}, AcceptedProposal{1, Ballot{3, 2}, "v", OpId{2, 1}},
                                  Ballot{2, 2}, 1, 7};
  {
    Store store(temp.data_dir(), kIdentity);
    write(store, {PersistRecord{"k", acceptance, std::nullopt}});
    CHECK(store.load("k").acceptor_apart);
    // Slot 1 chosen: the applied state is written with the acceptor, its acceptance settled.
    write(store, {PersistRecord{"k", promise, AppliedRecord{1, "v", WriterMarks{{2, 1, 1}}}}});
    CHECK_FALSE(store.load("k").acceptor_apart);
  }
  CHECK(raw_count(temp.data_dir(), 'a') == 0);
  CHECK(raw_count(temp.data_dir(), 's') == 1);
  {
    Store store(temp.data_dir(), kIdentity);
    CHECK(store.load("k").acceptor == promise);
    // A later promise is kept apart again, and wins over the one in the applied state.
    const AcceptorRecord higher{Ballot{5, 3}, std::nullopt, Ballot{2, 2}, 1, 2};
    write(store, {PersistRecord{"k", higher, std::nullopt}});
    CHECK(store.load("k").acceptor == higher);
    CHECK(store.load("k").applied.version == 1);
  }
  CHECK(raw_count(temp.data_dir(), 'a') == 1);
}

TEST_CASE("applied states out of change-log order or without an acceptor are refused",
          "[kvstore]") {
  TempDir temp;
  Store store(temp.data_dir(), kIdentity);
  PersistRecord record = applied("k", 1, "v");
  record.acceptor = AcceptorRecord{};
  record.change_index = 2;  // the next place is 1
  CHECK_THROWS_AS(store.write({record}), std::logic_error);
  record.change_index = 1;
  record.acceptor.reset();
  CHECK_THROWS_AS(store.write({record}), std::logic_error);
  CHECK(store.index() == 0);
}

TEST_CASE("a store written in format 2 opens and is read", "[kvstore]") {
  TempDir temp;
  { Store store(temp.data_dir(), kIdentity); }
  // The records an earlier version wrote: the promise only in the acceptor record.
  ByteWriter acceptor;
  acceptor.u8(codec::kFormatV2);
  acceptor.u64(4);  // promise (4, 1)
  acceptor.u32(1);
  acceptor.u8(0);   // nothing accepted
  acceptor.u64(4);  // led (4, 1)
  acceptor.u32(1);
  acceptor.u64(1);
  ByteWriter state;
  state.u8(codec::kFormatV2);
  state.u64(1);  // version
  state.u64(1);  // change index
  state.u32(0);  // no writer marks
  state.u8(1);
  state.bytes("old");
  {
    auto db = open_raw(temp.data_dir());
    leveldb::WriteBatch batch;
    batch.Put(layout::acceptor_key("k"), std::move(acceptor).take());
    batch.Put(layout::applied_key("k"), std::move(state).take());
    batch.Put(layout::change_log_key(1), codec::encode_change_log_entry("k"));
    batch.Put(std::string(layout::kChangeIndexKey), codec::encode_counter(1));
    REQUIRE(db->Write(leveldb::WriteOptions{}, &batch).ok());
  }
  Store store(temp.data_dir(), kIdentity);
  const KeyRecord record = store.load("k");
  CHECK(record.acceptor == AcceptorRecord{Ballot{4, 1}, std::nullopt, Ballot{4, 1}, 1, 0});
  CHECK(record.applied.value == "old");
  CHECK(record.change_index == 1);
  CHECK(record.acceptor_apart);
  write(store, {applied("k", 2, "new")});
  CHECK(store.load("k").acceptor.promised == Ballot{4, 1});
  CHECK(keys_of(store.changes_after(0, 10)) == std::vector<std::string>{"k"});
}

TEST_CASE("a deleted key keeps its version", "[kvstore]") {
  TempDir temp;
  Store store(temp.data_dir(), kIdentity);
  write(store, {applied("k", 1, "v1")});
  write(store, {applied("k", 2, std::nullopt)});

  const auto state = store.applied("k");
  REQUIRE(state.has_value());
  CHECK(state->version == 2);
  CHECK_FALSE(state->present());
  CHECK(state->change_index == 2);
  CHECK(state->writers == WriterMarks{{1, 2, 2}});
}

TEST_CASE("write bumps the change index once per applied part", "[kvstore]") {
  TempDir temp;
  Store store(temp.data_dir(), kIdentity);
  REQUIRE(store.index() == 0);

  SECTION("acceptor-only records do not change the index") {
    CHECK(write(store, {promised("a", {1, 1}), promised("b", {1, 1})}) == 0);
    CHECK(store.changes_after(0, 10).changes.empty());
  }
  SECTION("an empty batch writes nothing") {
    CHECK(write(store, {}) == 0);
    CHECK(store.counters().batches == 0);
  }
  SECTION("each applied part takes one index, acceptor parts none") {
    PersistRecord both = applied("a", 1, "x");
    both.acceptor = AcceptorRecord{Ballot{1, 1}, std::nullopt, {}, 0};
    CHECK(write(store, {both, promised("b", {2, 2}), applied("c", 1, "y")}) == 2);
    CHECK(store.index() == 2);
    CHECK(store.applied("a")->change_index == 1);
    CHECK(store.applied("c")->change_index == 2);

    const WriteCounters counters = store.counters();
    CHECK(counters.batches == 1);
    CHECK(counters.records == 3);
    CHECK(counters.applied_records == 2);
    CHECK(counters.bytes > 0);
    CHECK(counters.failures == 0);
  }
  SECTION("records of one key in one batch apply in order, one log entry per key") {
    CHECK(write(store, {applied("k", 1, "v1"), applied("other", 1, "o"), applied("k", 2, "v2"),
                        applied("k", 3, std::nullopt)}) == 4);
    const auto state = store.applied("k");
    CHECK(state->version == 3);
    CHECK_FALSE(state->present());
    CHECK(state->change_index == 4);

    const ChangesPage page = store.changes_after(0, 100);
    CHECK(keys_of(page) == std::vector<std::string>{"other", "k"});
    CHECK(page.changes[0].state.change_index == 2);
    CHECK(page.changes[1].state.change_index == 4);
    CHECK_FALSE(page.more);
    CHECK(page.next_index == 4);
  }
}

TEST_CASE("the change log keeps one entry per key", "[kvstore]") {
  TempDir temp;
  {
    Store store(temp.data_dir(), kIdentity);
    for (Version version = 1; version <= 20; ++version) {
      write(store, {applied("hot", version, "v" + std::to_string(version)),
                    applied("key" + std::to_string(version % 3), version, "x")});
    }
    CHECK(store.index() == 40);
    CHECK(store.changes_after(0, 100).changes.size() == 4);
  }
  // Count the log's entries directly: superseded entries must be gone, not just skipped.
  auto db = open_raw(temp.data_dir());
  std::unique_ptr<leveldb::Iterator> iterator(db->NewIterator(leveldb::ReadOptions{}));
  std::size_t log_entries = 0;
  for (iterator->Seek("c"); iterator->Valid() && iterator->key().starts_with("c");
       iterator->Next()) {
    ++log_entries;
  }
  CHECK(log_entries == 4);
}

TEST_CASE("a batch of several keys is all visible after reopen", "[kvstore]") {
  TempDir temp;
  std::vector<PersistRecord> batch;
  for (int i = 0; i < 50; ++i) batch.push_back(applied("batch/" + std::to_string(i), 1, "v"));
  {
    Store store(temp.data_dir(), kIdentity);
    CHECK(write(store, batch) == 50);
  }
  Store store(temp.data_dir(), kIdentity);
  CHECK(store.index() == 50);
  CHECK(store.list("batch/", "", 100).items.size() == 50);
  CHECK(store.changes_after(0, 100).changes.size() == 50);
}

TEST_CASE("the change index persists across reopen", "[kvstore]") {
  TempDir temp;
  {
    Store store(temp.data_dir(), kIdentity);
    write(store, {applied("a", 1, "1"), applied("b", 1, "1")});
    write(store, {applied("a", 2, "2")});
  }
  {
    Store store(temp.data_dir(), kIdentity);
    CHECK(store.index() == 3);
    CHECK(write(store, {applied("c", 1, "1")}) == 4);
  }
  Store store(temp.data_dir(), kIdentity);
  CHECK(store.index() == 4);
  CHECK(keys_of(store.changes_after(0, 10)) == std::vector<std::string>{"b", "a", "c"});
}

TEST_CASE("a torn log write leaves none of the batch and stops writes", "[kvstore]") {
  TempDir temp;
  testing::FaultInjectingEnv env;
  {
    Store store(temp.data_dir(), kIdentity, StoreOptions{&env});
    write(store, {applied("before", 1, "kept")});
    env.arm(testing::LogFault::kTornAppend);
    CHECK_THROWS_WITH(
        write(store, {applied("x", 1, "1"), applied("y", 1, "2"), applied("before", 2, "lost")}),
        Catch::Contains("injected torn append"));
    CHECK(env.fired());
    CHECK(store.index() == 1);
    CHECK(store.counters().failures == 1);
    CHECK_FALSE(store.failed_for_lack_of_space());
    CHECK_THROWS_WITH(write(store, {applied("z", 1, "3")}), Catch::Contains("refusing"));
  }
  Store store(temp.data_dir(), kIdentity);
  CHECK(store.index() == 1);
  CHECK(store.applied("before")->value == "kept");
  CHECK_FALSE(store.applied("x").has_value());
  CHECK_FALSE(store.applied("y").has_value());
  CHECK(write(store, {applied("x", 1, "again")}) == 2);
}

TEST_CASE("a write that finds the disk full is safe to retry after a restart; a sync is not",
          "[kvstore]") {
  TempDir temp;
  testing::FaultInjectingEnv env;
  {
    Store store(temp.data_dir(), kIdentity, StoreOptions{&env});
    write(store, {applied("before", 1, "kept")}, false);
    env.arm(testing::LogFault::kTornAppendDiskFull);
    CHECK_THROWS(write(store, {applied("x", 1, "1")}));
    CHECK(store.failed_for_lack_of_space());
    CHECK_THROWS_WITH(write(store, {applied("z", 1, "3")}), Catch::Contains("refusing"));
  }
  {
    Store store(temp.data_dir(), kIdentity, StoreOptions{&env});
    CHECK(store.applied("before")->value == "kept");
    CHECK_FALSE(store.applied("x").has_value());
    env.arm(testing::LogFault::kFailedSyncDiskFull);
    CHECK_THROWS(write(store, {applied("y", 1, "2")}));
    // The sync failed: the page cache may have dropped what it could not write back.
    CHECK_FALSE(store.failed_for_lack_of_space());
  }
}

TEST_CASE("a failed sync throws, and the batch is all or nothing after reopen", "[kvstore]") {
  TempDir temp;
  testing::FaultInjectingEnv env;
  {
    Store store(temp.data_dir(), kIdentity, StoreOptions{&env});
    env.arm(testing::LogFault::kFailedSync);
    CHECK_THROWS_WITH(write(store, {applied("x", 1, "1"), applied("y", 1, "2")}),
                      Catch::Contains("injected sync failure"));
    CHECK(store.index() == 0);
    CHECK_THROWS(write(store, {promised("z", {1, 1})}));
  }
  Store store(temp.data_dir(), kIdentity);
  const bool x_present = store.applied("x").has_value();
  CHECK(store.applied("y").has_value() == x_present);
  CHECK(store.index() == (x_present ? 2 : 0));
}

TEST_CASE("a log switch syncs the old log; if that fails, the write fails and writes stop",
          "[kvstore]") {
  TempDir temp;
  testing::FaultInjectingEnv env;
  Store store(temp.data_dir(), kIdentity, StoreOptions{&env, 64 << 10});
  // Unsynced writes only: the one sync is the old log's, when the memtable is full.
  env.arm(testing::LogFault::kFailedSync);
  bool failed = false;
  for (int i = 0; i < 1000 && !failed; ++i) {
    try {
      write(store, {applied("key-" + std::to_string(i), 1, std::string(1000, 'v'))}, false);
    } catch (const std::runtime_error& error) {
      CHECK_THAT(error.what(), Catch::Contains("injected sync failure"));
      failed = true;
    }
  }
  CHECK(failed);
  CHECK(env.fired());
  CHECK_THROWS(write(store, {promised("z", {1, 1})}));
}

TEST_CASE("changes_after paginates in index order and respects the prefix", "[kvstore]") {
  TempDir temp;
  Store store(temp.data_dir(), kIdentity);
  write(store, {applied("app/a", 1, "1"), applied("other/x", 1, "1"), applied("app/b", 1, "1")});
  write(store, {applied("app/c", 1, "1"), applied("other/y", 1, "1")});
  write(store, {applied("app/a", 2, std::nullopt)});  // moves app/a to the end of the log

  SECTION("all keys, two at a time") {
    ChangesPage page = store.changes_after(0, 2);
    CHECK(keys_of(page) == std::vector<std::string>{"other/x", "app/b"});
    CHECK(page.more);
    CHECK(page.next_index == 3);

    page = store.changes_after(page.next_index, 2);
    CHECK(keys_of(page) == std::vector<std::string>{"app/c", "other/y"});
    CHECK(page.more);
    CHECK(page.next_index == 5);

    page = store.changes_after(page.next_index, 2);
    CHECK(keys_of(page) == std::vector<std::string>{"app/a"});
    CHECK_FALSE(page.changes[0].state.present());
    CHECK(page.changes[0].state.version == 2);
    CHECK(page.changes[0].state.change_index == 6);
    CHECK_FALSE(page.more);
    CHECK(page.next_index == 6);

    page = store.changes_after(page.next_index, 2);
    CHECK(page.changes.empty());
    CHECK_FALSE(page.more);
    CHECK(page.next_index == 6);
  }
  SECTION("a prefix") {
    ChangesPage page = store.changes_after(0, 1, "app/");
    CHECK(keys_of(page) == std::vector<std::string>{"app/b"});
    CHECK(page.more);
    page = store.changes_after(page.next_index, 5, "app/");
    CHECK(keys_of(page) == std::vector<std::string>{"app/c", "app/a"});
    CHECK_FALSE(page.more);
    CHECK(page.next_index == 6);
  }
  SECTION("no change under the prefix still moves next_index to the store's index") {
    const ChangesPage page = store.changes_after(0, 10, "none/");
    CHECK(page.changes.empty());
    CHECK_FALSE(page.more);
    CHECK(page.next_index == 6);
  }
  SECTION("after an index only later changes") {
    CHECK(keys_of(store.changes_after(4, 10)) == std::vector<std::string>{"other/y", "app/a"});
  }
  SECTION("a limit of zero returns nothing but says whether there is more") {
    const ChangesPage page = store.changes_after(2, 0);
    CHECK(page.changes.empty());
    CHECK(page.more);
    CHECK(page.next_index == 2);
  }
}

TEST_CASE("list skips deleted keys and respects prefix, after, limit and more", "[kvstore]") {
  TempDir temp;
  Store store(temp.data_dir(), kIdentity);
  write(store, {applied("cfg/a", 1, "A"), applied("cfg/b", 1, "B"), applied("cfg/c", 1, "C"),
                applied("cfg/d", 1, "D"), applied("cfh", 1, "outside"), applied("cf", 1, "x")});
  write(store, {applied("cfg/b", 2, std::nullopt), applied("cfg/d", 2, std::nullopt)});

  SECTION("everything under the prefix") {
    const ListPage page = store.list("cfg/", "", 10);
    CHECK(keys_of(page) == std::vector<std::string>{"cfg/a", "cfg/c"});
    CHECK(page.items[1].value == "C");
    CHECK(page.items[1].version == 1);
    CHECK_FALSE(page.more);
    CHECK(page.index == 8);
  }
  SECTION("pages") {
    ListPage page = store.list("cfg/", "", 1);
    CHECK(keys_of(page) == std::vector<std::string>{"cfg/a"});
    CHECK(page.more);
    page = store.list("cfg/", page.items.back().key, 1);
    CHECK(keys_of(page) == std::vector<std::string>{"cfg/c"});
    // Only deleted keys follow.
    CHECK_FALSE(page.more);
  }
  SECTION("after a key that is not stored") {
    CHECK(keys_of(store.list("cfg/", "cfg/b", 10)) == std::vector<std::string>{"cfg/c"});
    CHECK(keys_of(store.list("cfg/", "a", 10)) == std::vector<std::string>{"cfg/a", "cfg/c"});
    CHECK(store.list("cfg/", "zzz", 10).items.empty());
  }
  SECTION("the empty prefix lists all present keys") {
    CHECK(keys_of(store.list("", "", 10)) ==
          std::vector<std::string>{"cf", "cfg/a", "cfg/c", "cfh"});
  }
}

TEST_CASE("held keys: promised, applied and deleted ones, reserved ones too, in pages",
          "[kvstore]") {
  TempDir temp;
  Store store(temp.data_dir(), kIdentity);
  const std::string reserved("\0config", 7);
  write(store, {applied("b", 1, "B"), promised("a", Ballot{1, 1}), promised("c", Ballot{1, 2}),
                applied(reserved, 1, "members")});
  write(store, {applied("d", 1, "D")});
  write(store, {applied("d", 2, std::nullopt), promised("e", Ballot{2, 1})});

  HeldKeysPage page = store.held_keys("", 10);
  CHECK(page.keys == std::vector<std::string>{reserved, "a", "b", "c", "d", "e"});
  CHECK_FALSE(page.more);

  std::vector<std::string> paged;
  std::string after;
  do {
    page = store.held_keys(after, 2);
    CHECK(page.keys.size() <= 2);
    paged.insert(paged.end(), page.keys.begin(), page.keys.end());
    if (!page.keys.empty()) after = page.keys.back();
  } while (page.more);
  CHECK(paged == std::vector<std::string>{reserved, "a", "b", "c", "d", "e"});
  CHECK(store.held_keys("bb", 10).keys == std::vector<std::string>{"c", "d", "e"});
  CHECK(store.held_keys("e", 10).keys.empty());
}

TEST_CASE("held keys: bytes above 0x7f, keys that prefix each other, any page size", "[kvstore]") {
  TempDir temp;
  Store store(temp.data_dir(), kIdentity);
  const std::string reserved("\0config", 7);
  // Byte order (unsigned), as LevelDB sorts: "\x7f" < "\x80" < "\xff". Keys alternate
  // between a promise only, an applied state only, and both, so the two merged ranges
  // interleave at every step.
  write(store,
        {promised("a", Ballot{1, 1}), applied("a\x7f", 1, "v"), promised("a\x80", Ballot{1, 1}),
         applied("a\xff", 1, "v"), promised("a\xff\xff", Ballot{1, 1}), applied("ab", 1, "v"),
         applied(reserved, 1, "members"), promised("\xff", Ballot{1, 1})});
  write(store, {promised("ab", Ballot{2, 1}), applied("a", 1, std::nullopt)});
  // ("ab" < "a\x7f": 'b' is 0x62.)
  const std::vector<std::string> all{reserved, "a",     "ab",        "a\x7f",
                                     "a\x80",  "a\xff", "a\xff\xff", "\xff"};
  CHECK(store.held_keys("", 100).keys == all);
  for (std::size_t limit = 1; limit <= all.size() + 1; ++limit) {
    std::vector<std::string> paged;
    std::string after;
    HeldKeysPage page;
    do {
      page = store.held_keys(after, limit);
      REQUIRE(!page.keys.empty());
      paged.insert(paged.end(), page.keys.begin(), page.keys.end());
      after = page.keys.back();
    } while (page.more);
    CHECK(paged == all);
  }
  // After a key no record holds, between keys that prefix each other.
  CHECK(store.held_keys("a\x7f\xff", 2).keys == std::vector<std::string>{"a\x80", "a\xff"});
  CHECK(store.held_keys(reserved + "\xff", 1).keys == std::vector<std::string>{"a"});
  CHECK(store.held_keys("\xff", 10).keys.empty());
}

TEST_CASE("list never shows a reserved key, nor counts it against the limit", "[kvstore]") {
  TempDir temp;
  Store store(temp.data_dir(), kIdentity);
  const std::string reserved("\0config", 7);
  write(store, {applied(reserved, 1, "members"), applied("a", 1, "A")});
  ListPage page = store.list("", "", 1);
  CHECK(keys_of(page) == std::vector<std::string>{"a"});
  CHECK_FALSE(page.more);
  CHECK(store.list(std::string(1, '\0'), "", 10).items.empty());
  CHECK(store.changes_after(0, 10).changes.size() == 2);  // the change log holds it: anti-entropy
  // Reserved keys have a listing of their own (a replica's tokens at its start).
  CHECK(keys_of(store.list_reserved(std::string(1, '\0'), "", 10)) ==
        std::vector<std::string>{reserved});
  CHECK(store.list_reserved("a", "", 10).items.empty());
}

TEST_CASE("a cluster name may hold the fingerprint's separator", "[kvstore]") {
  TempDir temp;
  { Store store(temp.data_dir(), StoreIdentity{2, "team:a:1,2,3"}); }
  CHECK_NOTHROW(Store(temp.data_dir(), StoreIdentity{2, "team:a:2,4"}));
  CHECK_THROWS_WITH(Store(temp.data_dir(), StoreIdentity{2, "team:1,2,3"}),
                    Catch::Contains("belongs to replica 2"));
  CHECK_THROWS_WITH(Store(temp.data_dir(), StoreIdentity{2, "team:a:b:1,2,3"}),
                    Catch::Contains("belongs to replica 2"));
}

TEST_CASE("a data dir of another replica or cluster is refused", "[kvstore]") {
  TempDir temp;
  { Store store(temp.data_dir(), StoreIdentity{2, "cluster-x"}); }
  CHECK_THROWS_WITH(Store(temp.data_dir(), StoreIdentity{1, "cluster-x"}),
                    Catch::Contains("belongs to replica 2 of cluster 'cluster-x', not replica 1"));
  CHECK_THROWS_WITH(Store(temp.data_dir(), StoreIdentity{2, "cluster-y"}),
                    Catch::Contains("not replica 2 of cluster 'cluster-y'"));
  CHECK_NOTHROW(Store(temp.data_dir(), StoreIdentity{2, "cluster-x"}));
}

TEST_CASE("a data dir serves its cluster whatever members the cluster lists now", "[kvstore]") {
  TempDir temp;
  // As created by an earlier version too: the fingerprint lists the founding member ids.
  { Store store(temp.data_dir(), StoreIdentity{2, "paxoskv:1,2,3"}); }
  CHECK_NOTHROW(Store(temp.data_dir(), StoreIdentity{2, "paxoskv:1,2,3,4"}));
  CHECK_NOTHROW(Store(temp.data_dir(), StoreIdentity{2, "paxoskv:2,4,5"}));
  CHECK_THROWS_WITH(Store(temp.data_dir(), StoreIdentity{2, "other:1,2,3"}),
                    Catch::Contains("belongs to replica 2 of cluster 'paxoskv:1,2,3', not replica "
                                    "2 of cluster 'other:1,2,3'"));
  CHECK_THROWS_WITH(Store(temp.data_dir(), StoreIdentity{3, "paxoskv:1,2,3"}),
                    Catch::Contains("not replica 3"));
  // What it stored at creation stays.
  CHECK_THROWS_WITH(Store(temp.data_dir(), StoreIdentity{2, "paxoskv-2:1,2,3"}),
                    Catch::Contains("belongs to replica 2 of cluster 'paxoskv:1,2,3'"));
}

TEST_CASE("missing parent directories are created", "[kvstore]") {
  TempDir temp;
  const std::string nested = (temp.path() / "a" / "b" / "c").string();
  { Store store(nested, kIdentity); }
  CHECK(std::filesystem::exists(std::filesystem::path(nested) / "CURRENT"));
}

TEST_CASE("a data dir already open is refused", "[kvstore]") {
  TempDir temp;
  Store store(temp.data_dir(), kIdentity);
  CHECK_THROWS_WITH(Store(temp.data_dir(), kIdentity), Catch::Contains("lock"));
}

TEST_CASE("a corrupt stored record throws instead of being used", "[kvstore]") {
  TempDir temp;
  {
    Store store(temp.data_dir(), kIdentity);
    write(store, {applied("k", 1, "v"), promised("k", {1, 1})});
  }
  // Starts with the right format byte, then is too short for any record kind.
  const std::string garbage("\x01short");

  SECTION("applied state") {
    put_raw(temp.data_dir(), layout::applied_key("k"), garbage);
    Store store(temp.data_dir(), kIdentity);
    CHECK_THROWS_WITH(store.load("k"), Catch::Contains("corrupt record 'sk'"));
    CHECK_THROWS_WITH(store.applied("k"), Catch::Contains("corrupt record"));
    CHECK_THROWS_WITH(store.list("", "", 10), Catch::Contains("corrupt record"));
    CHECK_THROWS_WITH(store.changes_after(0, 10), Catch::Contains("corrupt record"));
  }
  SECTION("acceptor record") {
    put_raw(temp.data_dir(), layout::acceptor_key("k"), "");
    Store store(temp.data_dir(), kIdentity);
    CHECK_THROWS_WITH(store.load("k"), Catch::Contains("corrupt record 'ak'"));
  }
  SECTION("change index") {
    put_raw(temp.data_dir(), std::string(layout::kChangeIndexKey), garbage);
    CHECK_THROWS_WITH(Store(temp.data_dir(), kIdentity), Catch::Contains("corrupt record 'i'"));
  }
  SECTION("identity") {
    put_raw(temp.data_dir(), std::string(layout::kMetaKey), garbage);
    CHECK_THROWS_WITH(Store(temp.data_dir(), kIdentity), Catch::Contains("corrupt record 'm'"));
  }
  SECTION("a change log entry beyond the change index") {
    put_raw(temp.data_dir(), layout::change_log_key(99), "\x02k");
    CHECK_THROWS_WITH(Store(temp.data_dir(), kIdentity),
                      Catch::Contains("beyond its change index"));
  }
  SECTION("a change log entry that disagrees with the applied state") {
    put_raw(temp.data_dir(), layout::change_log_key(1), "\x02other");
    Store store(temp.data_dir(), kIdentity);
    CHECK_THROWS_WITH(store.changes_after(0, 10), Catch::Contains("does not match"));
  }
}

TEST_CASE("a data dir of garbage files is refused", "[kvstore]") {
  TempDir temp;
  SECTION("a store whose files were overwritten") {
    {
      Store store(temp.data_dir(), kIdentity);
      write(store, {applied("k", 1, "v")});
    }
    for (const auto& entry : std::filesystem::directory_iterator(temp.data_dir())) {
      std::ofstream(entry.path(), std::ios::binary | std::ios::trunc) << "garbage\xff\x00 bytes";
    }
    CHECK_THROWS_WITH(Store(temp.data_dir(), kIdentity), Catch::Contains("cannot open data dir"));
  }
  SECTION("a directory of unrelated files") {
    std::filesystem::create_directories(temp.data_dir());
    std::ofstream(std::filesystem::path(temp.data_dir()) / "notes.txt") << "hello";
    CHECK_THROWS_WITH(Store(temp.data_dir(), kIdentity), Catch::Contains("holds no paxoskv store"));
  }
  SECTION("a LevelDB database that is not a store") {
    put_raw(temp.data_dir(), "foreign", "record");
    CHECK_THROWS_WITH(Store(temp.data_dir(), kIdentity), Catch::Contains("no identity record"));
  }
}

TEST_CASE("reads run concurrently with writes", "[kvstore]") {
  TempDir temp;
  Store store(temp.data_dir(), kIdentity);
  constexpr Version kWrites = 100;
  std::atomic<bool> done{false};
  std::atomic<int> violations{0};

  std::vector<std::thread> readers;
  for (int reader = 0; reader < 3; ++reader) {
    readers.emplace_back([&] {
      std::uint64_t last_index = 0;
      while (!done.load()) {
        const std::uint64_t index = store.index();
        const ChangesPage page = store.changes_after(0, 1000);
        if (index < last_index || page.next_index < index) ++violations;
        last_index = index;
        std::uint64_t previous = 0;
        for (const Change& change : page.changes) {
          if (change.state.change_index <= previous) ++violations;
          previous = change.state.change_index;
        }
        const ListPage list = store.list("k", "", 10);
        if (list.index < index) ++violations;
        if (const auto state = store.applied("hot");
            state && state->value != std::to_string(state->version)) {
          ++violations;
        }
      }
    });
  }
  for (Version version = 1; version <= kWrites; ++version) {
    write(store, {applied("hot", version, std::to_string(version)),
                  applied("k" + std::to_string(version % 5), version, "x")});
  }
  done.store(true);
  for (std::thread& reader : readers) reader.join();

  CHECK(violations.load() == 0);
  CHECK(store.index() == 2 * kWrites);
  CHECK(store.changes_after(0, 1000).changes.size() == 6);
}

}  // namespace
}  // namespace paxoskv::kvstore

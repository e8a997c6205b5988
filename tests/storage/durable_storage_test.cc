// The WAL and the snapshot files together: what a restarting node gets back, and the ordering
// that keeps a durable snapshot marker pointing at a file that exists.
#include "storage/durable_storage.h"

#include <gtest/gtest.h>

#include "storage/memory_file_system.h"
#include "storage_test_util.h"

namespace synod::storage {
namespace {

using consensus::DurableState;
using consensus::Entry;
using consensus::Snapshot;
using testing::make_entries;
using testing::make_entry;
using testing::make_hard_state;

const std::string kData = "/data";

Snapshot make_snapshot(uint64_t index, uint64_t term) {
  Snapshot snapshot;
  snapshot.meta.index = index;
  snapshot.meta.term = term;
  snapshot.meta.membership.voters = {1, 2, 3};
  snapshot.data = "state machine at " + std::to_string(index);
  return snapshot;
}

StorageOptions small_options() {
  StorageOptions options;
  options.wal = testing::small_wal_options(4096);
  return options;
}

struct Opened {
  std::unique_ptr<DurableStorage> storage;
  DurableState state;
  std::vector<std::string> repairs;
  Status status;
};

Opened open_storage(FileSystem& fs) {
  Opened opened;
  opened.status = DurableStorage::open(fs, kData, small_options(), opened.storage, opened.state,
                                       opened.repairs);
  return opened;
}

TEST(DurableStorageTest, RestartReturnsTheDurableState) {
  MemoryFileSystem fs;
  {
    Opened opened = open_storage(fs);
    ASSERT_TRUE(opened.status.ok()) << opened.status.message();
    EXPECT_TRUE(opened.state.empty());
    ASSERT_TRUE(
        opened.storage->persist(std::nullopt, make_entries(1, 10, 1), make_hard_state(1, 1, 8))
            .ok());
    ASSERT_TRUE(opened.storage->save_snapshot(make_snapshot(8, 1)).ok());
    ASSERT_TRUE(
        opened.storage->persist(std::nullopt, make_entries(11, 12, 2), make_hard_state(2, 1, 10))
            .ok());
    ASSERT_TRUE(opened.storage->sync().ok());
  }
  Opened reopened = open_storage(fs);
  ASSERT_TRUE(reopened.status.ok()) << reopened.status.message();
  ASSERT_TRUE(reopened.state.snapshot);
  EXPECT_EQ(*reopened.state.snapshot, make_snapshot(8, 1));
  std::vector<Entry> expected = make_entries(9, 10, 1);
  for (const Entry& entry : make_entries(11, 12, 2)) expected.push_back(entry);
  EXPECT_EQ(reopened.state.entries, expected);
  EXPECT_EQ(reopened.state.hard_state, make_hard_state(2, 1, 10));
}

TEST(DurableStorageTest, SnapshotFromALeaderReplacesTheLog) {
  MemoryFileSystem fs;
  {
    Opened opened = open_storage(fs);
    ASSERT_TRUE(opened.storage->persist(std::nullopt, make_entries(1, 5, 1), std::nullopt).ok());
    ASSERT_TRUE(
        opened.storage
            ->persist(make_snapshot(50, 3), make_entries(51, 52, 3), make_hard_state(3, 2, 50))
            .ok());
    ASSERT_TRUE(opened.storage->sync().ok());
  }
  Opened reopened = open_storage(fs);
  ASSERT_TRUE(reopened.status.ok()) << reopened.status.message();
  EXPECT_EQ(reopened.state.snapshot->meta.index, 50u);
  EXPECT_EQ(reopened.state.entries, make_entries(51, 52, 3));
}

TEST(DurableStorageTest, CrashBeforeTheMarkerIsDurableKeepsTheOlderState) {
  MemoryFileSystem fs;
  {
    Opened opened = open_storage(fs);
    ASSERT_TRUE(opened.storage->persist(std::nullopt, make_entries(1, 10, 1), std::nullopt).ok());
    ASSERT_TRUE(opened.storage->save_snapshot(make_snapshot(4, 1)).ok());
    ASSERT_TRUE(opened.storage->sync().ok());
    ASSERT_TRUE(
        opened.storage->save_snapshot(make_snapshot(9, 1)).ok());  // file durable, marker not
  }
  Random random(1);
  fs.crash(random, false);
  Opened reopened = open_storage(fs);
  ASSERT_TRUE(reopened.status.ok()) << reopened.status.message();
  EXPECT_EQ(reopened.state.snapshot->meta.index, 4u) << "the newer file has no durable marker";
  EXPECT_EQ(reopened.state.entries, make_entries(5, 10, 1));
}

TEST(DurableStorageTest, SnapshotsInARowNeverPruneTheFileTheDurableMarkerNames) {
  MemoryFileSystem fs;
  {
    Opened opened = open_storage(fs);
    ASSERT_TRUE(opened.storage->persist(std::nullopt, make_entries(1, 10, 1), std::nullopt).ok());
    ASSERT_TRUE(opened.storage->save_snapshot(make_snapshot(2, 1)).ok());
    ASSERT_TRUE(opened.storage->sync().ok());
    // With 2 files kept, saving 8 prunes 4 and saving 6 prunes 2: the markers must be durable
    // by then.
    for (uint64_t index : {4, 6, 8})
      ASSERT_TRUE(opened.storage->save_snapshot(make_snapshot(index, 1)).ok());
  }
  Random random(2);
  fs.crash(random, false);
  Opened reopened = open_storage(fs);
  ASSERT_TRUE(reopened.status.ok()) << reopened.status.message();
  ASSERT_TRUE(reopened.state.snapshot);
  EXPECT_EQ(reopened.state.snapshot->meta.index, 6u);
  EXPECT_EQ(reopened.state.entries.front().index, reopened.state.snapshot->meta.index + 1);
}

// A crash can leave a snapshot file whose marker never became durable; a later save must not
// count it as one of the files kept and remove the one the durable marker names.
TEST(DurableStorageTest, AFileWithoutADurableMarkerDoesNotDisplaceTheDurableOne) {
  MemoryFileSystem fs;
  Random random(3);
  {
    Opened opened = open_storage(fs);
    ASSERT_TRUE(opened.storage->persist(std::nullopt, make_entries(1, 12, 1), std::nullopt).ok());
    ASSERT_TRUE(opened.storage->save_snapshot(make_snapshot(4, 1)).ok());
    ASSERT_TRUE(opened.storage->sync().ok());
    ASSERT_TRUE(opened.storage->save_snapshot(make_snapshot(9, 1)).ok());
  }
  fs.crash(random, false);
  {
    Opened opened = open_storage(fs);
    ASSERT_TRUE(opened.status.ok()) << opened.status.message();
    ASSERT_EQ(opened.state.snapshot->meta.index, 4u);
    ASSERT_TRUE(opened.storage->save_snapshot(make_snapshot(10, 1)).ok());
  }
  fs.crash(random, false);
  Opened reopened = open_storage(fs);
  ASSERT_TRUE(reopened.status.ok()) << reopened.status.message();
  EXPECT_EQ(reopened.state.snapshot->meta.index, 4u);
}

TEST(DurableStorageTest, SyncReleasesTheLogBelowTheSnapshot) {
  MemoryFileSystem fs;
  {
    Opened opened = open_storage(fs);
    for (uint64_t index = 1; index <= 200; ++index) {
      ASSERT_TRUE(opened.storage
                      ->persist(std::nullopt, {make_entry(index, 1, std::string(100, 'r'))},
                                make_hard_state(1, 1, index))
                      .ok());
    }
    ASSERT_TRUE(opened.storage->sync().ok());
    size_t before = opened.storage->wal().segment_count();
    ASSERT_TRUE(opened.storage->save_snapshot(make_snapshot(190, 1)).ok());
    ASSERT_TRUE(opened.storage->sync().ok());
    EXPECT_LE(opened.storage->wal().segment_count(), 2u);
    EXPECT_GT(before, 5u);
  }
  Opened reopened = open_storage(fs);
  ASSERT_TRUE(reopened.status.ok()) << reopened.status.message();
  EXPECT_EQ(reopened.state.snapshot->meta.index, 190u);
  ASSERT_EQ(reopened.state.entries.size(), 10u);
  EXPECT_EQ(reopened.state.entries.front().index, 191u);
  EXPECT_EQ(reopened.state.hard_state, make_hard_state(1, 1, 200));
}

TEST(DurableStorageTest, CorruptOrMissingSnapshotNamedByTheWalIsRefused) {
  for (bool remove : {false, true}) {
    MemoryFileSystem fs;
    {
      Opened opened = open_storage(fs);
      ASSERT_TRUE(opened.storage->persist(std::nullopt, make_entries(1, 5, 1), std::nullopt).ok());
      ASSERT_TRUE(opened.storage->save_snapshot(make_snapshot(3, 1)).ok());
      ASSERT_TRUE(opened.storage->sync().ok());
    }
    std::string path = kData + "/snap/" + snapshot_file_name(1, 3);
    if (remove) {
      ASSERT_TRUE(fs.remove(path).ok());
    } else {
      fs.flip_bit(path, 25, 0x08);
    }
    Opened reopened = open_storage(fs);
    EXPECT_EQ(reopened.status.code(), StatusCode::kCorruption);
    EXPECT_NE(reopened.status.message().find(path), std::string::npos) << reopened.status.message();
  }
}

}  // namespace
}  // namespace synod::storage

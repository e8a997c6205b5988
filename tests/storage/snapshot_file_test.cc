// Snapshot files: atomic writes, verified loads, refusal of a corrupt newest file, pruning.
#include "storage/snapshot_file.h"

#include <gtest/gtest.h>

#include "storage/memory_file_system.h"
#include "storage_test_util.h"

namespace synod::storage {
namespace {

using consensus::Snapshot;

const std::string kDir = "/snap";

Snapshot make_snapshot(uint64_t index, uint64_t term, std::string data) {
  Snapshot snapshot;
  snapshot.meta.index = index;
  snapshot.meta.term = term;
  snapshot.meta.membership.voters = {1, 2, 5};
  snapshot.meta.membership.learners = {9};
  snapshot.data = std::move(data);
  return snapshot;
}

TEST(SnapshotFileTest, SaveAndLoadRoundTrip) {
  MemoryFileSystem fs;
  SnapshotStore store(fs, kDir);
  ASSERT_TRUE(store.open().ok());
  std::optional<Snapshot> loaded;
  ASSERT_TRUE(store.load_newest(loaded).ok());
  EXPECT_FALSE(loaded);
  Snapshot snapshot = make_snapshot(100, 3, std::string("state\0machine", 13));
  ASSERT_TRUE(store.save(snapshot).ok());
  EXPECT_TRUE(fs.exists(kDir + "/snap-0000000000000003-0000000000000064.snap"));
  ASSERT_TRUE(store.load_newest(loaded).ok());
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, snapshot);
  Snapshot by_name;
  ASSERT_TRUE(store.load(3, 100, by_name).ok());
  EXPECT_EQ(by_name, snapshot);
}

TEST(SnapshotFileTest, SaveIsDurableAndAtomicAcrossACrash) {
  MemoryFileSystem fs;
  SnapshotStore store(fs, kDir);
  ASSERT_TRUE(store.open().ok());
  Snapshot snapshot = make_snapshot(7, 1, std::string(5000, 's'));
  ASSERT_TRUE(store.save(snapshot).ok());
  Random random(1);
  fs.crash(random, true);  // nothing of the save may be pending: data, rename, directory
  std::optional<Snapshot> loaded;
  ASSERT_TRUE(store.load_newest(loaded).ok());
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, snapshot);
  std::vector<std::string> names;
  ASSERT_TRUE(fs.list_directory(kDir, names).ok());
  EXPECT_EQ(names.size(), 1u) << "no temporary file is left behind";
}

TEST(SnapshotFileTest, LeftoverTemporaryFileIsRemovedAndIgnored) {
  MemoryFileSystem fs;
  fs.set_contents(kDir + "/snap-0000000000000001-0000000000000009.snap.tmp", "half written");
  SnapshotStore store(fs, kDir);
  ASSERT_TRUE(store.open().ok());
  EXPECT_FALSE(fs.exists(kDir + "/snap-0000000000000001-0000000000000009.snap.tmp"));
  std::optional<Snapshot> loaded;
  ASSERT_TRUE(store.load_newest(loaded).ok());
  EXPECT_FALSE(loaded);
}

TEST(SnapshotFileTest, FlippedBitAnywhereIsRefusedNamingTheFile) {
  MemoryFileSystem fs;
  SnapshotStore store(fs, kDir);
  ASSERT_TRUE(store.open().ok());
  ASSERT_TRUE(store.save(make_snapshot(42, 2, "some state machine bytes")).ok());
  const std::string path = kDir + "/" + snapshot_file_name(2, 42);
  const std::string pristine = fs.contents(path);
  for (uint64_t offset = 0; offset < pristine.size(); ++offset) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}}) {
      fs.set_contents(path, pristine);
      fs.flip_bit(path, offset, mask);
      std::optional<Snapshot> loaded;
      Status status = store.load_newest(loaded);
      ASSERT_EQ(status.code(), StatusCode::kCorruption) << "offset " << offset;
      ASSERT_NE(status.message().find(path), std::string::npos) << status.message();
      EXPECT_FALSE(loaded);
    }
  }
}

TEST(SnapshotFileTest, TruncatedFileIsRefused) {
  MemoryFileSystem fs;
  SnapshotStore store(fs, kDir);
  ASSERT_TRUE(store.open().ok());
  ASSERT_TRUE(store.save(make_snapshot(42, 2, "abcdefgh")).ok());
  const std::string path = kDir + "/" + snapshot_file_name(2, 42);
  const std::string pristine = fs.contents(path);
  for (size_t length = 0; length < pristine.size(); ++length) {
    fs.set_contents(path, pristine.substr(0, length));
    Snapshot snapshot;
    EXPECT_EQ(store.load(2, 42, snapshot).code(), StatusCode::kCorruption) << length;
  }
}

TEST(SnapshotFileTest, CorruptNewestIsRefusedNotSkipped) {
  MemoryFileSystem fs;
  SnapshotStore store(fs, kDir);
  ASSERT_TRUE(store.open().ok());
  ASSERT_TRUE(store.save(make_snapshot(10, 1, "older")).ok());
  ASSERT_TRUE(store.save(make_snapshot(20, 1, "newer")).ok());
  const std::string newest = kDir + "/" + snapshot_file_name(1, 20);
  fs.flip_bit(newest, 30, 0x02);
  std::optional<Snapshot> loaded;
  Status status = store.load_newest(loaded);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find(newest), std::string::npos) << status.message();
  EXPECT_FALSE(loaded) << "never a silent fall back to the older snapshot";
}

TEST(SnapshotFileTest, ACopyUnderAnotherNameIsRefused) {
  MemoryFileSystem fs;
  SnapshotStore store(fs, kDir);
  ASSERT_TRUE(store.open().ok());
  ASSERT_TRUE(store.save(make_snapshot(10, 1, "ten")).ok());
  fs.set_contents(kDir + "/" + snapshot_file_name(1, 11),
                  fs.contents(kDir + "/" + snapshot_file_name(1, 10)));
  Snapshot snapshot;
  Status status = store.load(1, 11, snapshot);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("disagrees with the file name"), std::string::npos);
}

TEST(SnapshotFileTest, OnlyTheDurableOneAndTheNewestBelowItAreKept) {
  MemoryFileSystem fs;
  SnapshotStore store(fs, kDir, 2);
  ASSERT_TRUE(store.open().ok());
  for (uint64_t index : {5, 10, 15, 20}) {
    ASSERT_TRUE(
        store.save(make_snapshot(index, 1 + index / 10, "state" + std::to_string(index))).ok());
  }
  std::vector<SnapshotFileId> files;
  ASSERT_TRUE(store.list(files).ok());
  ASSERT_EQ(files.size(), 4u) << "saving removes nothing";
  ASSERT_TRUE(store.remove_older_than(15).ok());
  ASSERT_TRUE(store.list(files).ok());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].index, 10u);
  EXPECT_EQ(files[1].index, 15u);
  EXPECT_EQ(files[2].index, 20u) << "newer than the durable marker: kept";
  ASSERT_TRUE(store.remove_older_than(20).ok());
  ASSERT_TRUE(store.list(files).ok());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].index, 15u);
  std::optional<Snapshot> loaded;
  ASSERT_TRUE(store.load_newest(loaded).ok());
  EXPECT_EQ(loaded->data, "state20");
}

TEST(SnapshotFileTest, PosixRoundTripAndCorruption) {
  testing::TempDirectory temp;
  PosixFileSystem fs;
  SnapshotStore store(fs, temp.path() + "/snap");
  ASSERT_TRUE(store.open().ok());
  Snapshot snapshot = make_snapshot(77, 4, std::string(100000, 'q'));
  ASSERT_TRUE(store.save(snapshot).ok());
  std::optional<Snapshot> loaded;
  ASSERT_TRUE(store.load_newest(loaded).ok());
  EXPECT_EQ(*loaded, snapshot);
  std::string path = temp.path() + "/snap/" + snapshot_file_name(4, 77);
  std::string bytes = testing::read_real_file(path);
  bytes[50000] ^= 0x20;
  testing::write_real_file(path, bytes);
  Status status = store.load_newest(loaded);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find(path), std::string::npos) << status.message();
}

}  // namespace
}  // namespace synod::storage

// The WAL's behaviour through its public interface: round trips, overwrites, rollover, release,
// crashes that lose unsynced data, full disks.
#include "storage/wal.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "storage/memory_file_system.h"
#include "storage/wal_format.h"
#include "storage_test_util.h"

namespace synod::storage {
namespace {

using consensus::Entry;
using consensus::HardState;
using consensus::SnapshotMeta;
using testing::make_entries;
using testing::make_entry;
using testing::make_hard_state;
using testing::segment_paths;
using testing::small_wal_options;

const std::string kDir = "/node/wal";

SnapshotMeta make_meta(uint64_t index, uint64_t term) {
  SnapshotMeta meta;
  meta.index = index;
  meta.term = term;
  meta.membership.voters = {1, 2, 3};
  meta.membership.learners = {7};
  return meta;
}

struct Opened {
  std::unique_ptr<Wal> wal;
  WalRecovery recovery;
};

Opened open_ok(FileSystem& fs, const WalOptions& options = small_wal_options()) {
  Opened opened;
  Status status = Wal::open(fs, kDir, options, opened.wal, opened.recovery);
  EXPECT_TRUE(status.ok()) << status.message();
  return opened;
}

TEST(WalTest, FreshDirectoryGetsOnePreallocatedSegment) {
  MemoryFileSystem fs;
  Opened opened = open_ok(fs, small_wal_options(8192));
  EXPECT_TRUE(opened.recovery.entries.empty());
  EXPECT_FALSE(opened.recovery.snapshot);
  EXPECT_EQ(opened.recovery.hard_state, HardState{});
  auto paths = segment_paths(fs, kDir);
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0], kDir + "/wal-0000000000000000-0000000000000001.log");
  uint64_t size = 0;
  ASSERT_TRUE(fs.file_size(paths[0], size).ok());
  EXPECT_EQ(size, 8192u);
}

TEST(WalTest, RoundTrip) {
  MemoryFileSystem fs;
  {
    Opened opened = open_ok(fs);
    ASSERT_TRUE(opened.wal->append(make_entries(1, 10, 1), make_hard_state(1, 2, 5)).ok());
    ASSERT_TRUE(opened.wal->append(make_entries(11, 12, 2), make_hard_state(2, 3, 11)).ok());
    ASSERT_TRUE(opened.wal->sync().ok());
    EXPECT_EQ(opened.wal->last_index(), 12u);
  }
  Opened reopened = open_ok(fs);
  std::vector<Entry> expected = make_entries(1, 10, 1);
  for (const Entry& entry : make_entries(11, 12, 2)) expected.push_back(entry);
  EXPECT_EQ(reopened.recovery.entries, expected);
  EXPECT_EQ(reopened.recovery.hard_state, make_hard_state(2, 3, 11));
  EXPECT_FALSE(reopened.recovery.snapshot);
  EXPECT_TRUE(reopened.recovery.repairs.empty());
  // And appending continues where the log ends.
  EXPECT_EQ(reopened.wal->last_index(), 12u);
  ASSERT_TRUE(reopened.wal->append({make_entry(13, 2)}, std::nullopt).ok());
  ASSERT_TRUE(reopened.wal->sync().ok());
  reopened.wal.reset();
  EXPECT_EQ(open_ok(fs).recovery.entries.size(), 13u);
}

TEST(WalTest, EntryKindsAndBinaryDataSurvive) {
  MemoryFileSystem fs;
  Entry entry = make_entry(1, 1, std::string("\0\x01\xff zero", 8));
  entry.kind = consensus::EntryKind::kMembership;
  Entry noop = make_entry(2, 1, "");
  noop.data.clear();
  noop.kind = consensus::EntryKind::kNoop;
  {
    Opened opened = open_ok(fs);
    ASSERT_TRUE(opened.wal->append({entry, noop}, std::nullopt).ok());
    ASSERT_TRUE(opened.wal->sync().ok());
  }
  EXPECT_EQ(open_ok(fs).recovery.entries, (std::vector<Entry>{entry, noop}));
}

TEST(WalTest, OverwrittenSuffixIsResolvedOnReplay) {
  MemoryFileSystem fs;
  {
    Opened opened = open_ok(fs);
    ASSERT_TRUE(opened.wal->append(make_entries(1, 10, 1), std::nullopt).ok());
    // A new leader overwrites 6..10 with 6..8 of term 2.
    ASSERT_TRUE(opened.wal->append(make_entries(6, 8, 2), make_hard_state(2, 1, 5)).ok());
    EXPECT_EQ(opened.wal->last_index(), 8u);
    ASSERT_TRUE(opened.wal->sync().ok());
  }
  Opened reopened = open_ok(fs);
  std::vector<Entry> expected = make_entries(1, 5, 1);
  for (const Entry& entry : make_entries(6, 8, 2)) expected.push_back(entry);
  EXPECT_EQ(reopened.recovery.entries, expected);
  // Overwrite everything from index 1.
  ASSERT_TRUE(reopened.wal->append(make_entries(1, 2, 3), std::nullopt).ok());
  ASSERT_TRUE(reopened.wal->sync().ok());
  reopened.wal.reset();
  EXPECT_EQ(open_ok(fs).recovery.entries, make_entries(1, 2, 3));
}

TEST(WalTest, AppendRefusesGapsAndDisorder) {
  MemoryFileSystem fs;
  Opened opened = open_ok(fs);
  EXPECT_EQ(opened.wal->append({make_entry(2, 1)}, std::nullopt).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(opened.wal->append({make_entry(1, 1), make_entry(3, 1)}, std::nullopt).code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(opened.wal->append(make_entries(1, 5, 1), std::nullopt).ok());
  EXPECT_EQ(opened.wal->append({make_entry(7, 1)}, std::nullopt).code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(opened.wal->append_snapshot(make_meta(3, 1)).ok());
  EXPECT_EQ(opened.wal->append({make_entry(3, 2)}, std::nullopt).code(),
            StatusCode::kInvalidArgument);  // at or below the snapshot
  EXPECT_EQ(opened.wal->append_snapshot(make_meta(2, 1)).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(opened.wal->failure().ok());  // a refused argument does not stop the log
  ASSERT_TRUE(opened.wal->append({make_entry(4, 2)}, std::nullopt).ok());
}

TEST(WalTest, RollsOverAcrossSegments) {
  MemoryFileSystem fs;
  const uint64_t kSegmentBytes = 4096;
  std::vector<Entry> expected = make_entries(1, 300, 1, 100);
  {
    Opened opened = open_ok(fs, small_wal_options(kSegmentBytes));
    for (const Entry& entry : expected)
      ASSERT_TRUE(opened.wal->append({entry}, make_hard_state(1, 1, entry.index)).ok());
    ASSERT_TRUE(opened.wal->sync().ok());
    EXPECT_GT(opened.wal->segment_count(), 10u);
  }
  auto paths = segment_paths(fs, kDir);
  ASSERT_GT(paths.size(), 10u);
  for (size_t i = 0; i < paths.size(); ++i) {
    uint64_t sequence = 0, first_index = 0, size = 0;
    std::string name = paths[i].substr(kDir.size() + 1);
    ASSERT_TRUE(parse_segment_file_name(name, sequence, first_index)) << name;
    EXPECT_EQ(sequence, i);
    ASSERT_TRUE(fs.file_size(paths[i], size).ok());
    EXPECT_EQ(size, kSegmentBytes) << "segments never outgrow their preallocation";
    if (i > 0) {
      EXPECT_GT(first_index, 1u);
    }
  }
  Opened reopened = open_ok(fs, small_wal_options(kSegmentBytes));
  EXPECT_EQ(reopened.recovery.entries, expected);
  EXPECT_EQ(reopened.recovery.hard_state, make_hard_state(1, 1, 300));
  EXPECT_TRUE(reopened.recovery.repairs.empty());
}

TEST(WalTest, RecordLargerThanASegmentIsWrittenWhole) {
  MemoryFileSystem fs;
  Entry big = make_entry(2, 1, std::string(10000, 'x'));
  {
    Opened opened = open_ok(fs, small_wal_options(4096));
    ASSERT_TRUE(opened.wal->append({make_entry(1, 1)}, std::nullopt).ok());
    ASSERT_TRUE(opened.wal->append({big}, std::nullopt).ok());
    ASSERT_TRUE(opened.wal->append({make_entry(3, 1)}, std::nullopt).ok());
    ASSERT_TRUE(opened.wal->sync().ok());
  }
  EXPECT_EQ(open_ok(fs, small_wal_options(4096)).recovery.entries,
            (std::vector<Entry>{make_entry(1, 1), big, make_entry(3, 1)}));
}

TEST(WalTest, SnapshotMarkerKeepsTheConsistentSuffix) {
  MemoryFileSystem fs;
  {
    Opened opened = open_ok(fs);
    ASSERT_TRUE(opened.wal->append(make_entries(1, 10, 1), std::nullopt).ok());
    ASSERT_TRUE(opened.wal->append_snapshot(make_meta(5, 1)).ok());
    ASSERT_TRUE(opened.wal->sync().ok());
  }
  Opened reopened = open_ok(fs);
  ASSERT_TRUE(reopened.recovery.snapshot);
  EXPECT_EQ(*reopened.recovery.snapshot, make_meta(5, 1));
  EXPECT_EQ(reopened.recovery.entries, make_entries(6, 10, 1));
}

TEST(WalTest, SnapshotMarkerFromAnotherHistoryReplacesTheLog) {
  MemoryFileSystem fs;
  {
    Opened opened = open_ok(fs);
    ASSERT_TRUE(opened.wal->append(make_entries(1, 10, 1), std::nullopt).ok());
    ASSERT_TRUE(opened.wal->append_snapshot(make_meta(7, 3)).ok());  // term differs at 7
    EXPECT_EQ(opened.wal->last_index(), 7u);
    EXPECT_EQ(opened.wal->append({make_entry(9, 3)}, std::nullopt).code(),
              StatusCode::kInvalidArgument);
    ASSERT_TRUE(opened.wal->append({make_entry(8, 3)}, std::nullopt).ok());
    ASSERT_TRUE(opened.wal->append_snapshot(make_meta(20, 4)).ok());  // beyond the log
    ASSERT_TRUE(opened.wal->sync().ok());
  }
  Opened reopened = open_ok(fs);
  EXPECT_EQ(*reopened.recovery.snapshot, make_meta(20, 4));
  EXPECT_TRUE(reopened.recovery.entries.empty());
  EXPECT_EQ(reopened.wal->last_index(), 20u);
  EXPECT_TRUE(reopened.wal->append({make_entry(21, 4)}, std::nullopt).ok());
}

TEST(WalTest, ReleaseRemovesSegmentsBelowADurableSnapshotAndKeepsState) {
  MemoryFileSystem fs;
  const WalOptions options = small_wal_options(4096);
  {
    Opened opened = open_ok(fs, options);
    // The only hard state and the first marker go into the first segment.
    ASSERT_TRUE(opened.wal->append(make_entries(1, 2, 1), make_hard_state(1, 2, 2)).ok());
    ASSERT_TRUE(opened.wal->append_snapshot(make_meta(1, 1)).ok());
    for (uint64_t index = 3; index <= 200; ++index)
      ASSERT_TRUE(
          opened.wal->append({make_entry(index, 1, std::string(100, 'y'))}, std::nullopt).ok());
    size_t before = opened.wal->segment_count();
    ASSERT_GT(before, 5u);
    ASSERT_TRUE(opened.wal->append_snapshot(make_meta(150, 1)).ok());
    EXPECT_EQ(opened.wal->release(150).code(), StatusCode::kInvalidArgument)
        << "the marker is not durable yet";
    ASSERT_TRUE(opened.wal->sync().ok());
    ASSERT_TRUE(opened.wal->release(150).ok());
    EXPECT_LT(opened.wal->segment_count(), before - 2);
    auto paths = segment_paths(fs, kDir);
    EXPECT_EQ(opened.wal->segment_count(), paths.size());
    // Kept: the newest segment starting at or below 151, and those after it.
    ASSERT_GE(paths.size(), 2u);
    uint64_t sequence = 0, first_index = 0;
    ASSERT_TRUE(parse_segment_file_name(paths[0].substr(kDir.size() + 1), sequence, first_index));
    EXPECT_LE(first_index, 151u);
    ASSERT_TRUE(parse_segment_file_name(paths[1].substr(kDir.size() + 1), sequence, first_index));
    EXPECT_GT(first_index, 151u);
  }
  Random random(5);
  fs.crash(random, false);  // the removals were made durable
  Opened reopened = open_ok(fs, options);
  ASSERT_TRUE(reopened.recovery.snapshot);
  EXPECT_EQ(reopened.recovery.snapshot->index, 150u);
  ASSERT_EQ(reopened.recovery.entries.size(), 50u);
  EXPECT_EQ(reopened.recovery.entries.front().index, 151u);
  EXPECT_EQ(reopened.recovery.entries.back().index, 200u);
  EXPECT_EQ(reopened.recovery.hard_state, make_hard_state(1, 2, 2))
      << "each segment's preamble carries the hard state";
  // Releasing everything below the last segment still leaves a working log.
  ASSERT_TRUE(reopened.wal->append_snapshot(make_meta(200, 1)).ok());
  ASSERT_TRUE(reopened.wal->sync().ok());
  ASSERT_TRUE(reopened.wal->release(200).ok());
  EXPECT_EQ(reopened.wal->segment_count(), 1u);
  reopened.wal.reset();
  Opened again = open_ok(fs, options);
  EXPECT_EQ(again.recovery.snapshot->index, 200u);
  EXPECT_TRUE(again.recovery.entries.empty());
  EXPECT_EQ(again.recovery.hard_state, make_hard_state(1, 2, 2));
}

// Read-back of single entries (for an engine that keeps only recent payloads in memory).
std::vector<Entry> read_back(const Wal& wal, uint64_t first, uint64_t last) {
  std::vector<Entry> entries;
  for (uint64_t index = first; index <= last; ++index) {
    Entry entry;
    Status status = wal.read_entry(index, entry);
    EXPECT_TRUE(status.ok()) << index << ": " << status.message();
    entries.push_back(std::move(entry));
  }
  return entries;
}

TEST(WalReadEntryTest, ReadsBackTheNewestRecordOfEachIndexAcrossSegmentsAndAfterRecovery) {
  MemoryFileSystem fs;
  const WalOptions options = small_wal_options(4096);
  std::vector<Entry> expected = make_entries(1, 120, 1, 100);
  {
    Opened opened = open_ok(fs, options);
    for (const Entry& entry : expected) ASSERT_TRUE(opened.wal->append({entry}, std::nullopt).ok());
    // A new leader overwrites 101..120 with 101..110 of term 2.
    ASSERT_TRUE(opened.wal->append(make_entries(101, 110, 2, 50), std::nullopt).ok());
    ASSERT_GT(opened.wal->segment_count(), 3u);
    expected.resize(100);
    for (const Entry& entry : make_entries(101, 110, 2, 50)) expected.push_back(entry);
    EXPECT_EQ(read_back(*opened.wal, 1, 110), expected) << "before any sync (the page cache)";
    ASSERT_TRUE(opened.wal->sync().ok());
    Entry entry;
    EXPECT_EQ(opened.wal->read_entry(111, entry).code(), StatusCode::kCompacted);
    EXPECT_EQ(opened.wal->read_entry(0, entry).code(), StatusCode::kCompacted);
  }
  Opened reopened = open_ok(fs, options);
  EXPECT_EQ(read_back(*reopened.wal, 1, 110), expected) << "places rebuilt by recovery";
}

TEST(WalReadEntryTest, EntriesBelowAReleasedSnapshotAreCompacted) {
  MemoryFileSystem fs;
  Opened opened = open_ok(fs, small_wal_options(4096));
  for (uint64_t index = 1; index <= 200; ++index)
    ASSERT_TRUE(opened.wal->append({make_entry(index, 1, std::string(100, 'r'))}, std::nullopt).ok());
  ASSERT_TRUE(opened.wal->append_snapshot(make_meta(150, 1)).ok());
  ASSERT_TRUE(opened.wal->sync().ok());
  ASSERT_TRUE(opened.wal->release(150).ok());
  Entry entry;
  EXPECT_EQ(opened.wal->read_entry(1, entry).code(), StatusCode::kCompacted);
  EXPECT_EQ(opened.wal->read_entry(150, entry).code(), StatusCode::kCompacted);
  ASSERT_TRUE(opened.wal->read_entry(151, entry).ok());
  EXPECT_EQ(entry, make_entry(151, 1, std::string(100, 'r')));
}

TEST(WalReadEntryTest, ACorruptRecordIsReportedNotReturned) {
  MemoryFileSystem fs;
  Opened opened = open_ok(fs, small_wal_options(1 << 20));
  ASSERT_TRUE(opened.wal->append(make_entries(1, 3, 1, 40), std::nullopt).ok());
  ASSERT_TRUE(opened.wal->sync().ok());
  Entry entry;
  ASSERT_TRUE(opened.wal->read_entry(2, entry).ok());
  // Flip one bit in the middle of entry 2's data: the record's checksum no longer matches.
  const std::string path = segment_paths(fs, kDir).front();
  std::string contents;
  ASSERT_TRUE(fs.read_file(path, contents).ok());
  const size_t at = contents.find("#2");
  ASSERT_NE(at, std::string::npos);
  fs.flip_bit(path, at - 5, 0x01);
  Status status = opened.wal->read_entry(2, entry);
  EXPECT_EQ(status.code(), StatusCode::kCorruption) << status.message();
  EXPECT_NE(status.message().find(path), std::string::npos) << status.message();
  EXPECT_TRUE(opened.wal->read_entry(1, entry).ok());
  EXPECT_TRUE(opened.wal->read_entry(3, entry).ok());
}

TEST(WalTest, CrashLosesOnlyUnsyncedRecords) {
  MemoryFileSystem fs;
  {
    Opened opened = open_ok(fs);
    ASSERT_TRUE(opened.wal->append(make_entries(1, 5, 1), make_hard_state(1, 1, 3)).ok());
    ASSERT_TRUE(opened.wal->sync().ok());
    ASSERT_TRUE(opened.wal->append(make_entries(6, 9, 1), make_hard_state(1, 1, 8)).ok());
  }
  Random random(3);
  fs.crash(random, false);
  Opened reopened = open_ok(fs);
  EXPECT_EQ(reopened.recovery.entries, make_entries(1, 5, 1));
  EXPECT_EQ(reopened.recovery.hard_state, make_hard_state(1, 1, 3));
  EXPECT_TRUE(reopened.recovery.repairs.empty());
}

TEST(WalTest, PreallocatedZerosAreTheNormalEndNotCorruption) {
  MemoryFileSystem fs;
  {
    Opened opened = open_ok(fs, small_wal_options(1 << 20));
    ASSERT_TRUE(opened.wal->append(make_entries(1, 3, 1), std::nullopt).ok());
    ASSERT_TRUE(opened.wal->sync().ok());
  }
  auto paths = segment_paths(fs, kDir);
  ASSERT_EQ(paths.size(), 1u);
  std::string contents = fs.contents(paths[0]);
  ASSERT_EQ(contents.size(), 1u << 20);
  EXPECT_EQ(contents.substr(contents.size() - 4096), std::string(4096, '\0'));
  Opened reopened = open_ok(fs, small_wal_options(1 << 20));
  EXPECT_EQ(reopened.recovery.entries, make_entries(1, 3, 1));
  EXPECT_TRUE(reopened.recovery.repairs.empty()) << reopened.recovery.repairs.front();
}

TEST(WalTest, PosixRoundTripWithRolloverInARealDirectory) {
  testing::TempDirectory temp;
  ASSERT_FALSE(temp.path().empty());
  PosixFileSystem fs;
  const std::string dir = temp.path() + "/wal";
  std::vector<Entry> expected = make_entries(1, 120, 1, 100);
  {
    std::unique_ptr<Wal> wal;
    WalRecovery recovery;
    ASSERT_TRUE(Wal::open(fs, dir, small_wal_options(4096), wal, recovery).ok());
    for (size_t i = 0; i < expected.size(); i += 10) {
      std::vector<Entry> batch(expected.begin() + i, expected.begin() + i + 10);
      ASSERT_TRUE(wal->append(batch, make_hard_state(2, 1, i)).ok());
      ASSERT_TRUE(wal->sync().ok());
    }
    EXPECT_GT(wal->segment_count(), 3u);
  }
  std::unique_ptr<Wal> wal;
  WalRecovery recovery;
  Status status = Wal::open(fs, dir, small_wal_options(4096), wal, recovery);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(recovery.entries, expected);
  EXPECT_EQ(recovery.hard_state, make_hard_state(2, 1, 110));
  EXPECT_TRUE(recovery.repairs.empty());
}

// Full disk: the append that needs a new segment fails with the error; everything synced
// before stays, and the log refuses further work until it is reopened.
TEST(WalTest, FullDiskFailsTheAppendAndLosesNothingSynced) {
  for (bool tear : {false, true}) {
    MemoryFileSystem fs;
    fs.create_directories(kDir);
    fs.set_capacity_bytes(3 * 4096 + 100);
    uint64_t synced_last = 0;
    Status failure;
    {
      Opened opened = open_ok(fs, small_wal_options(4096));
      for (uint64_t index = 1; index < 1000 && failure.ok(); ++index) {
        failure = opened.wal->append({make_entry(index, 1, std::string(60, 'z'))},
                                     make_hard_state(1, 1, index));
        if (failure.ok() && index % 3 == 0) {
          failure = opened.wal->sync();
          if (failure.ok()) synced_last = index;
        }
      }
      ASSERT_FALSE(failure.ok());
      EXPECT_NE(failure.message().find("No space left on device"), std::string::npos)
          << failure.message();
      EXPECT_NE(failure.message().find(kDir), std::string::npos) << failure.message();
      EXPECT_FALSE(opened.wal->append({make_entry(5000, 1)}, std::nullopt).ok());
      EXPECT_FALSE(opened.wal->sync().ok()) << "a stopped log never reports success";
    }
    ASSERT_GT(synced_last, 10u);
    Random random(7);
    fs.crash(random, tear);
    fs.set_capacity_bytes(std::nullopt);
    Opened reopened = open_ok(fs, small_wal_options(4096));
    ASSERT_GE(reopened.recovery.entries.size(), synced_last);
    for (uint64_t index = 1; index <= synced_last; ++index)
      EXPECT_EQ(reopened.recovery.entries[index - 1].index, index);
  }
}

TEST(WalTest, WriteErrorStopsTheLogAndKeepsWhatWasSynced) {
  MemoryFileSystem fs;
  {
    Opened opened = open_ok(fs);
    ASSERT_TRUE(opened.wal->append(make_entries(1, 4, 1), std::nullopt).ok());
    ASSERT_TRUE(opened.wal->sync().ok());
    fs.set_write_error(EIO);
    Status status = opened.wal->append(make_entries(5, 6, 1), std::nullopt);
    EXPECT_FALSE(status.ok());
    EXPECT_NE(status.message().find("Input/output error"), std::string::npos);
    fs.set_write_error(0);
    EXPECT_FALSE(opened.wal->append(make_entries(5, 6, 1), std::nullopt).ok())
        << "after a failed write the log stays stopped";
  }
  Opened reopened = open_ok(fs);
  EXPECT_EQ(reopened.recovery.entries, make_entries(1, 4, 1));
}

TEST(WalTest, SyncErrorStopsTheLog) {
  MemoryFileSystem fs;
  Opened opened = open_ok(fs);
  ASSERT_TRUE(opened.wal->append(make_entries(1, 2, 1), std::nullopt).ok());
  fs.set_sync_error(EIO);
  Status status = opened.wal->sync();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("fdatasync"), std::string::npos);
  fs.set_sync_error(0);
  EXPECT_FALSE(opened.wal->sync().ok()) << "never retry an fdatasync that failed";
  EXPECT_FALSE(opened.wal->append({make_entry(3, 1)}, std::nullopt).ok());
}

}  // namespace
}  // namespace synod::storage

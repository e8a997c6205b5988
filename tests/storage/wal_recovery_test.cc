// Recovery's judgement of damaged segments: a torn tail is truncated and reported, anything else
// is refused with the file and the offset; zeros from preallocation are neither.
#include <gtest/gtest.h>

#include "storage/memory_file_system.h"
#include "storage/segment_scan.h"
#include "storage/wal.h"
#include "storage_test_util.h"

namespace synod::storage {
namespace {

using consensus::Entry;
using testing::make_entries;
using testing::make_entry;
using testing::make_hard_state;
using testing::segment_paths;
using testing::small_wal_options;

const std::string kDir = "/wal";

// Record boundaries of a pristine segment (the scanner is tested by the round trips).
std::vector<std::pair<uint64_t, uint64_t>> record_extents(const std::string& path,
                                                          const std::string& contents) {
  SegmentScan scan;
  EXPECT_TRUE(scan_segment(path, contents, true, scan).ok());
  std::vector<std::pair<uint64_t, uint64_t>> extents;
  for (const ScannedRecord& record : scan.records)
    extents.emplace_back(record.offset, record.offset + kRecordHeaderBytes + record.payload.size());
  return extents;
}

// Opens the WAL in `fs`; returns the status and fills `recovery`.
Status open_wal(FileSystem& fs, const std::string& dir, const WalOptions& options,
                WalRecovery& recovery, std::unique_ptr<Wal>* keep = nullptr) {
  std::unique_ptr<Wal> wal;
  Status status = Wal::open(fs, dir, options, wal, recovery);
  if (keep) *keep = std::move(wal);
  return status;
}

// A one-segment WAL: entries 1..5 synced, then entries 6..8 with a hard state as the last batch.
struct TornFixture {
  MemoryFileSystem fs;
  std::string path;
  std::string contents;
  uint64_t batch_start = 0;  // offset of the last batch's first record
  std::vector<std::pair<uint64_t, uint64_t>> extents;

  explicit TornFixture(const WalOptions& options) {
    std::unique_ptr<Wal> wal;
    WalRecovery recovery;
    EXPECT_TRUE(Wal::open(fs, kDir, options, wal, recovery).ok());
    EXPECT_TRUE(wal->append(make_entries(1, 5, 1), make_hard_state(1, 1, 4)).ok());
    EXPECT_TRUE(wal->sync().ok());
    EXPECT_TRUE(wal->append(make_entries(6, 8, 2, 20), make_hard_state(2, 2, 7)).ok());
    EXPECT_TRUE(wal->sync().ok());
    path = segment_paths(fs, kDir).at(0);
    contents = fs.contents(path);
    extents = record_extents(path, contents);
    batch_start = extents.at(extents.size() - 4).first;  // 3 entries + a hard state
  }
  // How many records of the last batch lie wholly in [batch_start, cut).
  size_t complete_records(uint64_t cut) const {
    size_t count = 0;
    for (size_t i = extents.size() - 4; i < extents.size(); ++i) count += extents[i].second <= cut;
    return count;
  }
  uint64_t batch_end() const { return extents.back().second; }
};

void expect_prefix(const WalRecovery& recovery, size_t complete) {
  std::vector<Entry> expected = make_entries(1, 5, 1);
  std::vector<Entry> batch = make_entries(6, 8, 2, 20);
  for (size_t i = 0; i < std::min<size_t>(complete, 3); ++i) expected.push_back(batch[i]);
  EXPECT_EQ(recovery.entries, expected);
  EXPECT_EQ(recovery.hard_state,
            complete == 4 ? make_hard_state(2, 2, 7) : make_hard_state(1, 1, 4));
}

// Every cut point inside the last batch, in a preallocated file (the rest reads as zeros) and
// in a file that simply ends there.
TEST(WalRecoveryTest, TornTailAtEveryByteOffsetRecoversThePrefix) {
  for (bool preallocate : {true, false}) {
    WalOptions options = small_wal_options(8192);
    options.preallocate = preallocate;
    TornFixture fixture(options);
    for (uint64_t cut = fixture.batch_start; cut <= fixture.batch_end(); ++cut) {
      SCOPED_TRACE("preallocate " + std::to_string(preallocate) + " cut " + std::to_string(cut));
      std::string torn = fixture.contents.substr(0, cut);
      if (preallocate) torn.resize(fixture.contents.size(), '\0');
      MemoryFileSystem fs;
      fs.create_directories(kDir);
      fs.set_contents(fixture.path, torn);
      WalRecovery recovery;
      std::unique_ptr<Wal> wal;
      Status status = open_wal(fs, kDir, options, recovery, &wal);
      ASSERT_TRUE(status.ok()) << status.message();
      size_t complete = fixture.complete_records(cut);
      expect_prefix(recovery, complete);
      uint64_t valid_end = complete == 0
                               ? fixture.batch_start
                               : fixture.extents[fixture.extents.size() - 5 + complete].second;
      // Reported: the torn bytes up to the last nonzero one (zeros are what was never written).
      size_t last_nonzero = torn.find_last_not_of('\0');
      uint64_t torn_bytes = last_nonzero == std::string::npos || last_nonzero < valid_end
                                ? 0
                                : last_nonzero + 1 - valid_end;
      if (torn_bytes == 0) {
        EXPECT_TRUE(recovery.repairs.empty());
      } else {
        ASSERT_EQ(recovery.repairs.size(), 1u);
        EXPECT_NE(recovery.repairs[0].find(fixture.path), std::string::npos) << recovery.repairs[0];
        EXPECT_NE(recovery.repairs[0].find("offset " + std::to_string(valid_end)),
                  std::string::npos)
            << recovery.repairs[0];
        EXPECT_NE(recovery.repairs[0].find("dropped " + std::to_string(torn_bytes) + " bytes"),
                  std::string::npos)
            << recovery.repairs[0];
      }
      if (cut - valid_end >= kRecordHeaderBytes) {
        EXPECT_GT(torn_bytes, 0u) << "a whole header is never all zeros: the tear is noticed";
      }
      // The torn bytes are gone for good: new records written over them replay cleanly.
      uint64_t next = recovery.entries.back().index + 1;
      ASSERT_TRUE(wal->append({make_entry(next, 9, "x")}, std::nullopt).ok());
      ASSERT_TRUE(wal->sync().ok());
      wal.reset();
      WalRecovery again;
      status = open_wal(fs, kDir, options, again);
      ASSERT_TRUE(status.ok()) << status.message();
      EXPECT_TRUE(again.repairs.empty());
      EXPECT_EQ(again.entries.back(), make_entry(next, 9, "x"));
    }
  }
}

// The same on a real file system: cut the file with truncate(2) or zero the tail in place.
TEST(WalRecoveryTest, TornTailInARealDirectory) {
  PosixFileSystem posix;
  for (bool preallocate : {true, false}) {
    WalOptions options = small_wal_options(8192);
    options.preallocate = preallocate;
    TornFixture fixture(options);
    for (uint64_t cut = fixture.batch_start; cut <= fixture.batch_end(); ++cut) {
      SCOPED_TRACE("preallocate " + std::to_string(preallocate) + " cut " + std::to_string(cut));
      testing::TempDirectory temp;
      std::string dir = temp.path() + "/wal";
      ASSERT_TRUE(posix.create_directories(dir).ok());
      std::string torn = fixture.contents.substr(0, cut);
      if (preallocate) torn.resize(fixture.contents.size(), '\0');
      std::string path = dir + fixture.path.substr(kDir.size());
      testing::write_real_file(path, torn);
      WalRecovery recovery;
      Status status = open_wal(posix, dir, options, recovery);
      ASSERT_TRUE(status.ok()) << status.message();
      expect_prefix(recovery, fixture.complete_records(cut));
      if (!recovery.repairs.empty()) {
        EXPECT_NE(recovery.repairs[0].find(path), std::string::npos);
      }
      std::string after = testing::read_real_file(path);
      uint64_t valid_end =
          fixture.complete_records(cut) == 0
              ? fixture.batch_start
              : fixture.extents[fixture.extents.size() - 5 + fixture.complete_records(cut)].second;
      EXPECT_EQ(after.substr(valid_end).find_first_not_of('\0'), std::string::npos)
          << "the torn bytes are zeroed (or cut) on disk";
    }
  }
}

// A WAL of three full segments plus a partly filled last one.
struct MultiSegmentFixture {
  MemoryFileSystem fs;
  std::vector<std::string> paths;
  std::vector<std::string> contents;
  std::vector<Entry> entries = make_entries(1, 40, 1, 150);

  MultiSegmentFixture() {
    std::unique_ptr<Wal> wal;
    WalRecovery recovery;
    EXPECT_TRUE(Wal::open(fs, kDir, small_wal_options(), wal, recovery).ok());
    for (const Entry& entry : entries)
      EXPECT_TRUE(wal->append({entry}, make_hard_state(1, 1, entry.index)).ok());
    EXPECT_TRUE(wal->sync().ok());
    paths = segment_paths(fs, kDir);
    for (const std::string& path : paths) contents.push_back(fs.contents(path));
  }
};

// A flipped bit in any byte of any record before the tail: refused with the file and the record's
// offset. (Every bit position over the run, one per byte.)
TEST(WalRecoveryTest, FlippedBitBeforeTheTailIsRefusedWithFileAndOffset) {
  MultiSegmentFixture fixture;
  ASSERT_GE(fixture.paths.size(), 3u);
  size_t checked = 0;
  for (size_t segment = 0; segment < fixture.paths.size(); ++segment) {
    const std::string& path = fixture.paths[segment];
    auto extents = record_extents(path, fixture.contents[segment]);
    bool is_last_segment = segment + 1 == fixture.paths.size();
    for (size_t record = 0; record < extents.size(); ++record) {
      if (is_last_segment && record + 1 == extents.size()) continue;  // that is the tail
      for (uint64_t offset = extents[record].first; offset < extents[record].second; ++offset) {
        MemoryFileSystem fs;
        for (size_t i = 0; i < fixture.paths.size(); ++i)
          fs.set_contents(fixture.paths[i], fixture.contents[i]);
        fs.flip_bit(path, offset, static_cast<uint8_t>(1u << (offset % 8)));
        WalRecovery recovery;
        Status status = open_wal(fs, kDir, small_wal_options(), recovery);
        ASSERT_EQ(status.code(), StatusCode::kCorruption)
            << path << " offset " << offset << ": " << status.message();
        std::string where = path + " at offset " + std::to_string(extents[record].first);
        ASSERT_NE(status.message().find(where), std::string::npos)
            << "expected '" << where << "' in: " << status.message();
        // A refusal changes nothing on disk.
        ASSERT_EQ(fs.contents(path).size(), fixture.contents[segment].size());
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 5000u);
}

TEST(WalRecoveryTest, FlippedBitInTheLastRecordIsATornTail) {
  MultiSegmentFixture fixture;
  const std::string& path = fixture.paths.back();
  auto extents = record_extents(path, fixture.contents.back());
  fixture.fs.flip_bit(path, extents.back().first + 20, 0x10);
  WalRecovery recovery;
  ASSERT_TRUE(open_wal(fixture.fs, kDir, small_wal_options(), recovery).ok());
  ASSERT_EQ(recovery.repairs.size(), 1u);        // indistinguishable from a torn write: truncated
  EXPECT_EQ(recovery.entries, fixture.entries);  // the last record was the hard state
  EXPECT_EQ(recovery.hard_state, make_hard_state(1, 1, 39));
}

TEST(WalRecoveryTest, GarbageAfterTheEndOfANonLastSegmentIsRefused) {
  MultiSegmentFixture fixture;
  const std::string& path = fixture.paths.front();
  auto extents = record_extents(path, fixture.contents.front());
  uint64_t end = extents.back().second;
  ASSERT_LT(end + 10, fixture.contents.front().size()) << "the test needs preallocated space";
  fixture.fs.flip_bit(path, end + 10, 0x01);
  WalRecovery recovery;
  Status status = open_wal(fixture.fs, kDir, small_wal_options(), recovery);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find(path + " at offset " + std::to_string(end)), std::string::npos)
      << status.message();
}

TEST(WalRecoveryTest, StrayBytesInTheLastSegmentsZerosAreDroppedAndReported) {
  MultiSegmentFixture fixture;
  const std::string& path = fixture.paths.back();
  auto extents = record_extents(path, fixture.contents.back());
  uint64_t end = extents.back().second;
  fixture.fs.flip_bit(path, end + 100, 0x40);
  WalRecovery recovery;
  ASSERT_TRUE(open_wal(fixture.fs, kDir, small_wal_options(), recovery).ok());
  EXPECT_EQ(recovery.entries, fixture.entries);
  ASSERT_EQ(recovery.repairs.size(), 1u);
  EXPECT_NE(recovery.repairs[0].find("offset " + std::to_string(end)), std::string::npos);
}

TEST(WalRecoveryTest, MissingMiddleSegmentIsRefused) {
  MultiSegmentFixture fixture;
  ASSERT_TRUE(fixture.fs.remove(fixture.paths[1]).ok());
  WalRecovery recovery;
  Status status = open_wal(fixture.fs, kDir, small_wal_options(), recovery);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("missing"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find(fixture.paths[2]), std::string::npos) << status.message();
}

TEST(WalRecoveryTest, MissingFirstSegmentIsRefused) {
  MultiSegmentFixture fixture;
  ASSERT_TRUE(fixture.fs.remove(fixture.paths[0]).ok());  // no snapshot covers its entries
  WalRecovery recovery;
  Status status = open_wal(fixture.fs, kDir, small_wal_options(), recovery);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("the log starts at"), std::string::npos) << status.message();
}

TEST(WalRecoveryTest, SegmentRenamedOutOfOrderIsRefused) {
  MultiSegmentFixture fixture;
  // Swap the names of two segments: each header now disagrees with its file name.
  ASSERT_TRUE(fixture.fs.rename(fixture.paths[1], kDir + "/tmp").ok());
  ASSERT_TRUE(fixture.fs.rename(fixture.paths[2], fixture.paths[1]).ok());
  ASSERT_TRUE(fixture.fs.rename(kDir + "/tmp", fixture.paths[2]).ok());
  WalRecovery recovery;
  Status status = open_wal(fixture.fs, kDir, small_wal_options(), recovery);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("disagrees with the file name"), std::string::npos)
      << status.message();
}

// A crash while a segment was being created leaves a last segment with no valid record.
TEST(WalRecoveryTest, LastSegmentWithoutAValidRecordIsRemoved) {
  for (bool torn_header : {false, true}) {
    MultiSegmentFixture fixture;
    uint64_t sequence = 0, first_index = 0;
    std::string last_name = fixture.paths.back().substr(kDir.size() + 1);
    ASSERT_TRUE(parse_segment_file_name(last_name, sequence, first_index));
    std::string next = kDir + "/" + segment_file_name(sequence + 1, 41);
    std::string zeros(4096, '\0');
    if (torn_header) zeros.replace(0, 7, fixture.contents.front().substr(0, 7));
    fixture.fs.set_contents(next, zeros);
    WalRecovery recovery;
    std::unique_ptr<Wal> wal;
    Status status = open_wal(fixture.fs, kDir, small_wal_options(), recovery, &wal);
    ASSERT_TRUE(status.ok()) << status.message();
    EXPECT_EQ(recovery.entries, fixture.entries);
    ASSERT_EQ(recovery.repairs.size(), 1u);
    EXPECT_NE(recovery.repairs[0].find("removed " + next), std::string::npos)
        << recovery.repairs[0];
    EXPECT_FALSE(fixture.fs.exists(next));
    ASSERT_TRUE(wal->append({make_entry(41, 1)}, std::nullopt).ok());
    ASSERT_TRUE(wal->sync().ok());
    wal.reset();
    WalRecovery again;
    ASSERT_TRUE(open_wal(fixture.fs, kDir, small_wal_options(), again).ok());
    EXPECT_EQ(again.entries.size(), 41u);
  }
}

TEST(WalRecoveryTest, FlippedBitInARealDirectoryIsRefused) {
  MultiSegmentFixture fixture;
  testing::TempDirectory temp;
  PosixFileSystem posix;
  std::string dir = temp.path() + "/wal";
  ASSERT_TRUE(posix.create_directories(dir).ok());
  std::vector<std::string> real_paths;
  for (size_t i = 0; i < fixture.paths.size(); ++i) {
    real_paths.push_back(dir + fixture.paths[i].substr(kDir.size()));
    testing::write_real_file(real_paths.back(), fixture.contents[i]);
  }
  auto extents = record_extents(fixture.paths[1], fixture.contents[1]);
  std::string damaged = fixture.contents[1];
  uint64_t offset = extents[2].first + 15;
  damaged[offset] = static_cast<char>(damaged[offset] ^ 0x04);
  testing::write_real_file(real_paths[1], damaged);
  WalRecovery recovery;
  Status status = open_wal(posix, dir, small_wal_options(), recovery);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find(real_paths[1] + " at offset " + std::to_string(extents[2].first)),
            std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace synod::storage

// The simulated disk's fault model: what a crash keeps, tears and forgets.
#include "storage/memory_file_system.h"

#include <gtest/gtest.h>

#include <set>

namespace synod::storage {
namespace {

std::unique_ptr<WritableFile> open_file(MemoryFileSystem& fs, const std::string& path,
                                        uint64_t position = 0) {
  std::unique_ptr<WritableFile> file;
  EXPECT_TRUE(fs.open_for_append(path, position, file).ok());
  return file;
}

TEST(MemoryFileSystemTest, CrashKeepsSyncedDataAndLosesUnsynced) {
  MemoryFileSystem fs;
  ASSERT_TRUE(fs.create_directories("/d").ok());
  auto file = open_file(fs, "/d/f");
  ASSERT_TRUE(fs.sync_directory("/d").ok());
  ASSERT_TRUE(file->append("durable").ok());
  ASSERT_TRUE(file->sync_data().ok());
  ASSERT_TRUE(file->append("-lost").ok());
  EXPECT_EQ(fs.contents("/d/f"), "durable-lost");
  EXPECT_EQ(fs.durable_contents("/d/f"), "durable");
  Random random(1);
  fs.crash(random, false);
  EXPECT_EQ(fs.contents("/d/f"), "durable");
  // The handle from before the crash is dead.
  Status status = file->append("x");
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/d/f"), std::string::npos) << status.message();
}

TEST(MemoryFileSystemTest, TornCrashKeepsAPrefixAtByteGranularity) {
  std::set<size_t> lengths_seen;
  const std::string pending = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (uint64_t seed = 0; seed < 200; ++seed) {
    MemoryFileSystem fs;
    fs.create_directories("/d");
    auto file = open_file(fs, "/d/f");
    fs.sync_directory("/d");
    file->append("base:");
    file->sync_data();
    file->append(pending.substr(0, 10));
    file->append(pending.substr(10));
    Random random(seed);
    fs.crash(random, true);
    std::string after = fs.contents("/d/f");
    ASSERT_EQ(after.substr(0, 5), "base:");
    std::string kept = after.substr(5);
    ASSERT_EQ(kept, pending.substr(0, kept.size())) << "seed " << seed;
    lengths_seen.insert(kept.size());
  }
  EXPECT_GT(lengths_seen.size(), 15u);  // cuts land all over, not only between writes
}

TEST(MemoryFileSystemTest, NamesNeedADirectorySync) {
  MemoryFileSystem fs;
  fs.create_directories("/d");
  auto a = open_file(fs, "/d/a");
  a->append("a");
  a->sync_data();  // data synced, but the name is not
  Random random(2);
  fs.crash(random, false);
  EXPECT_FALSE(fs.exists("/d/a"));

  auto b = open_file(fs, "/d/b.tmp");
  b->append("b");
  b->sync_data();
  fs.sync_directory("/d");
  ASSERT_TRUE(fs.rename("/d/b.tmp", "/d/b").ok());
  fs.crash(random, false);
  EXPECT_TRUE(fs.exists("/d/b.tmp"));  // the rename was not synced
  EXPECT_FALSE(fs.exists("/d/b"));
  ASSERT_TRUE(fs.rename("/d/b.tmp", "/d/b").ok());
  ASSERT_TRUE(fs.sync_directory("/d").ok());
  fs.crash(random, false);
  EXPECT_TRUE(fs.exists("/d/b"));
  EXPECT_EQ(fs.contents("/d/b"), "b");
}

TEST(MemoryFileSystemTest, PreallocateReadsAsZerosAndTruncateShrinks) {
  MemoryFileSystem fs;
  fs.create_directories("/d");
  auto file = open_file(fs, "/d/f");
  ASSERT_TRUE(file->preallocate(100).ok());
  ASSERT_TRUE(file->append("abc").ok());
  EXPECT_EQ(fs.contents("/d/f"), "abc" + std::string(97, '\0'));
  ASSERT_TRUE(file->preallocate(10).ok());  // never shrinks
  uint64_t size = 0;
  ASSERT_TRUE(fs.file_size("/d/f", size).ok());
  EXPECT_EQ(size, 100u);
  ASSERT_TRUE(fs.truncate("/d/f", 2).ok());
  EXPECT_EQ(fs.contents("/d/f"), "ab");
}

TEST(MemoryFileSystemTest, FullDiskFailsWithENOSPCAndWritesNothing) {
  MemoryFileSystem fs;
  fs.create_directories("/d");
  fs.set_capacity_bytes(10);
  auto file = open_file(fs, "/d/f");
  ASSERT_TRUE(file->append("12345678").ok());
  Status status = file->append("abc");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/d/f"), std::string::npos);
  EXPECT_NE(status.message().find("No space left on device"), std::string::npos)
      << status.message();
  EXPECT_EQ(fs.contents("/d/f"), "12345678");
  EXPECT_FALSE(file->preallocate(64).ok());
}

TEST(MemoryFileSystemTest, InjectedErrorsNameThePath) {
  MemoryFileSystem fs;
  fs.create_directories("/d");
  auto file = open_file(fs, "/d/f");
  fs.set_sync_error(EIO);
  Status status = file->sync_data();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "fdatasync /d/f: Input/output error");
  fs.set_sync_error(0);
  EXPECT_TRUE(file->sync_data().ok());
  fs.set_write_error(EIO);
  EXPECT_FALSE(file->append("x").ok());
}

TEST(MemoryFileSystemTest, MissingFilesAndDirectoriesAreErrors) {
  MemoryFileSystem fs;
  std::string contents;
  Status status = fs.read_file("/nope/f", contents);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("No such file or directory"), std::string::npos);
  std::vector<std::string> names;
  EXPECT_FALSE(fs.list_directory("/nope", names).ok());
  std::unique_ptr<WritableFile> file;
  EXPECT_FALSE(fs.open_for_append("/nope/f", 0, file).ok());
}

}  // namespace
}  // namespace synod::storage
